package org.medfl.client.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EgressLedgerTest {
  private static void write(Path file, int anchors) throws Exception {
    try (EgressLedger ledger = new EgressLedger(file)) {
      for (int i = 1; i <= anchors; i++) {
        ledger.anchor("job-1", i, 10L * i, "ab".repeat(32));
      }
    }
  }

  @Test
  void reopenedLedgerContinuesItsChain(@TempDir Path dir) throws Exception {
    // given
    Path file = dir.resolve("egress.jsonl");
    write(file, 2);
    // when
    write(file, 2);
    // then
    LedgerVerifier.Result result = LedgerVerifier.verify(file);
    assertTrue(result.intact(), result.problem());
    assertEquals(4, result.entries());
    assertEquals(List.of(1L, 2L, 3L, 4L), EgressLedger.read(file).stream().map(LedgerEntry::seq).toList());
  }

  @Test
  void changedLineBreaksTheChainAtTheNextLine(@TempDir Path dir) throws Exception {
    // given
    Path file = dir.resolve("egress.jsonl");
    write(file, 3);
    List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    lines.set(1, lines.get(1).replace("\"bytes\":20", "\"bytes\":21"));
    Files.write(file, lines, StandardCharsets.UTF_8);
    // when
    LedgerVerifier.Result result = LedgerVerifier.verify(file);
    // then
    assertFalse(result.intact());
    assertTrue(result.problem().startsWith("line 3"), result.problem());
  }

  @Test
  void swappedLinesAreCaught(@TempDir Path dir) throws Exception {
    // given
    Path file = dir.resolve("egress.jsonl");
    write(file, 3);
    List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    Files.write(file, List.of(lines.get(0), lines.get(2), lines.get(1)), StandardCharsets.UTF_8);
    // when / then
    assertFalse(LedgerVerifier.verify(file).intact());
  }

  @Test
  void tornLastLineFromACrashIsCutOffOnReopen(@TempDir Path dir) throws Exception {
    // given
    Path file = dir.resolve("egress.jsonl");
    write(file, 2);
    Files.writeString(file, "{\"seq\":3,\"ti", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    // when
    write(file, 1);
    // then
    LedgerVerifier.Result result = LedgerVerifier.verify(file);
    assertTrue(result.intact(), result.problem());
    assertEquals(3, result.entries());
  }

  @Test
  void secondAgentOnTheSameLedgerIsRefusedUntilTheFirstCloses(@TempDir Path dir) throws Exception {
    // given
    Path file = dir.resolve("egress.jsonl");
    EgressLedger first = new EgressLedger(file);
    first.anchor("job", 1, 3, "ab".repeat(32));
    // when
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> new EgressLedger(file));
    first.close();
    // then
    assertTrue(refused.getMessage().contains("in use by another site agent"), refused.getMessage());
    try (EgressLedger reopened = new EgressLedger(file)) {
      reopened.anchor("job", 2, 4, "cd".repeat(32));
    }
    assertTrue(LedgerVerifier.verify(file).intact());
    assertEquals(2, LedgerVerifier.verify(file).entries());
  }
}

package org.medfl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.data.Partitioner;

/**
 * The NIID-Bench partition script's files are what {@code --partition file:PATH} accepts, and its draws have
 * NIID-Bench's shape. Skipped, with the reason shown, only where /usr/bin/python3 with NumPy is missing.
 */
class NiidBenchPartitionScriptTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Path SCRIPT = Path.of("src/main/python/niid_bench_partition.py");
  /** 1,000 examples, 100 of each of 10 labels, interleaved. */
  private static final int[] LABELS = IntStream.range(0, 1000).map(i -> i % 10).toArray();

  @TempDir static Path dir;
  private static Path labelFile;

  @BeforeAll
  static void numpyPresent() throws Exception {
    boolean present = Files.isExecutable(PYTHON)
        && new ProcessBuilder(PYTHON.toString(), "-c", "import numpy").start().waitFor() == 0;
    Assumptions.assumeTrue(present, "skipped: needs /usr/bin/python3 with NumPy (Debian: apt-get install "
        + "python3-numpy)");
    labelFile = dir.resolve("labels-idx1-ubyte.gz");
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(labelFile)))) {
      out.writeInt(2049);
      out.writeInt(LABELS.length);
      for (int label : LABELS) {
        out.writeByte(label);
      }
    }
  }

  private static List<int[]> draw(String partition, int seed) throws Exception {
    Path out = dir.resolve(partition.replace(':', '-') + "-" + seed + ".txt");
    Process python = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), "--partition", partition, "--sites",
        "10", "--seed", String.valueOf(seed), "--labels", labelFile.toString(), "--out", out.toString())
        .redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes());
    assertTrue(python.waitFor(60, TimeUnit.SECONDS), "the script did not finish");
    assertEquals(0, python.exitValue(), output);
    List<int[]> parts = Partitioner.partition(LABELS, 10, 10, "file:" + out, 0);
    Set<Integer> seen = new HashSet<>();
    parts.forEach(part -> IntStream.of(part).forEach(i -> assertTrue(seen.add(i), "example " + i + " twice")));
    assertEquals(LABELS.length, seen.size(), "every example at exactly one site");
    return parts;
  }

  private static Set<Integer> labelsOf(int[] part) {
    Set<Integer> labels = new HashSet<>();
    IntStream.of(part).forEach(i -> labels.add(LABELS[i]));
    return labels;
  }

  @Test
  void shardsGiveSiteIItsOwnLabelAndOneMore() throws Exception {
    List<int[]> parts = draw("shards:2", 42);
    for (int s = 0; s < parts.size(); s++) {
      Set<Integer> held = labelsOf(parts.get(s));
      assertEquals(2, held.size(), "site " + s + " holds " + held);
      assertTrue(held.contains(s), "site " + s + " holds " + held);
    }
  }

  @Test
  void dirichletLeavesEverySiteTenExamplesAndSkewsLabels() throws Exception {
    List<int[]> parts = draw("dirichlet:0.5", 42);
    parts.forEach(part -> assertTrue(part.length >= 10, "a site holds " + part.length));
    assertTrue(parts.stream().anyMatch(part -> labelsOf(part).size() < 10), "no site misses a label");
  }

  @Test
  void iidCutsEqualPartsAndEachSeedItsOwnDraw() throws Exception {
    List<int[]> parts = draw("iid", 42);
    parts.forEach(part -> assertEquals(100, part.length));
    List<String> first = asText(parts);
    assertEquals(first, asText(draw("iid", 42)), "same seed, same draw");
    assertNotEquals(first, asText(draw("iid", 7)), "seeds 42 and 7 drew the same split");
  }

  private static List<String> asText(List<int[]> parts) {
    return parts.stream().map(Arrays::toString).toList();
  }
}

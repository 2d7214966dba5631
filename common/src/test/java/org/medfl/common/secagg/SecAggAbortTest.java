package org.medfl.common.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecAggAbortTest {

  @ParameterizedTest(name = "dropouts after {0} stages: abort at {1}")
  @CsvSource({"0, ADVERTISE_KEYS", "1, SHARE_KEYS", "2, MASKED_INPUT", "3, UNMASKING"})
  void fewerThanThresholdSitesAbortTheStageAndEverythingAfterIt(int stagesSent, SecAggStage stage) {
    // given: 5 sites, T = 3, and 3 of them stop, leaving 2
    SecAggFixture round = new SecAggFixture(5, 3, 20, 9, 40 + stagesSent);
    Set<String> dropouts = Set.copyOf(round.pick(3, stagesSent));

    // when
    SecAggAbort abort = assertThrows(SecAggAbort.class, () -> round.run(dropouts, stagesSent));

    // then
    assertEquals(stage, abort.stage());
    assertEquals(2, abort.remaining());
    assertEquals(3, abort.threshold());
    assertEquals("secure aggregation aborted at stage " + stage.label() + ": 2 sites remain, fewer than the "
        + "threshold 3", abort.getMessage());
    assertThrows(SecAggAbort.class, round.server::finish);
  }
}

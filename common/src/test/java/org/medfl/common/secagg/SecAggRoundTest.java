package org.medfl.common.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SecAggRoundTest {
  private static final int LENGTH = 1_000;
  private static final String[] AFTER = {"", "AdvertiseKeys", "ShareKeys", "MaskedInput"};

  /** (N, T, dropouts, stages the dropouts sent): 0, 1 and N - T dropouts after each of the first three stages. */
  static Stream<Arguments> rounds() {
    List<Arguments> cases = new ArrayList<>();
    int[][] sizes = {{3, 2}, {10, 6}, {25, 13}};
    for (int[] size : sizes) {
      int n = size[0];
      int t = size[1];
      cases.add(Arguments.of(n, t, 0, 3));
      for (int stagesSent = 1; stagesSent <= 3; stagesSent++) {
        for (int dropouts : new HashSet<>(List.of(1, n - t))) {
          cases.add(Arguments.of(n, t, dropouts, stagesSent));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "N={0} T={1}: {2} dropouts after stage {3}")
  @MethodSource("rounds")
  void unmaskedSumEqualsPlainWeightedSumWithinQuantizationBound(int n, int t, int dropoutCount, int stagesSent) {
    // given
    SecAggFixture round = new SecAggFixture(n, t, LENGTH, 7, 31L * n + dropoutCount + 100L * stagesSent);
    Set<String> dropouts = Set.copyOf(round.pick(dropoutCount, n));
    List<String> contributors = new ArrayList<>(round.names);
    if (stagesSent < 3) {
      // Sites that sent no masked input are not in the sum; those that only skipped unmasking are.
      contributors.removeAll(dropouts);
    }
    contributors.sort(null);

    // when
    AggregateResult result = round.run(dropouts, stagesSent);

    // then
    assertEquals(contributors, result.contributors(), "contributors after " + AFTER[stagesSent]);
    assertEquals(contributors.stream().mapToLong(round.weights::get).sum(), result.totalWeight());
    double[] expected = round.plainWeightedSum(contributors);
    double bound = round.params.quantizationErrorBound();
    for (int j = 0; j < LENGTH; j++) {
      double error = Math.abs(result.weightedSum()[j] - expected[j]);
      assertTrue(error <= bound + Math.ulp((float) expected[j]),
          "coordinate " + j + ": error " + error + " exceeds the bound " + bound);
    }
  }
}

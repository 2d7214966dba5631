package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionerTest {
  /** 1,000 examples, 100 of each of 10 labels. */
  private static final int[] LABELS = java.util.stream.IntStream.range(0, 1000).map(i -> i % 10).toArray();

  private static void assertExactCover(List<int[]> parts) {
    Set<Integer> seen = new HashSet<>();
    for (int[] part : parts) {
      for (int i : part) {
        assertTrue(seen.add(i), "example " + i + " is at two sites");
      }
    }
    assertEquals(LABELS.length, seen.size());
  }

  private static Set<Integer> labelsOf(int[] part) {
    Set<Integer> labels = new HashSet<>();
    Arrays.stream(part).forEach(i -> labels.add(LABELS[i]));
    return labels;
  }

  @Test
  void iidGivesEqualDisjointParts() {
    // when
    List<int[]> parts = Partitioner.partition(LABELS, 10, 4, "iid", 1);
    // then
    assertExactCover(parts);
    parts.forEach(part -> assertEquals(250, part.length));
  }

  @Test
  void shardsGiveEachSiteExactlyKLabelsAsNiidBenchDraws() {
    // when: 10 sites, 2 labels each: site i holds label i and one other drawn at random
    List<int[]> parts = Partitioner.partition(LABELS, 10, 10, "shards:2", 1);
    List<int[]> again = Partitioner.partition(LABELS, 10, 10, "shards:2", 1);
    // then
    int[] holders = new int[10];
    for (int s = 0; s < parts.size(); s++) {
      Set<Integer> held = labelsOf(parts.get(s));
      assertEquals(2, held.size(), "site " + s + " holds " + held);
      assertTrue(held.contains(s), "site " + s + " holds " + held);
      held.forEach(label -> holders[label]++);
      assertArrayEquals(again.get(s), parts.get(s));
    }
    // each label's 100 examples are split evenly among the sites that hold it
    for (int[] part : parts) {
      for (int label : labelsOf(part)) {
        long mine = Arrays.stream(part).filter(i -> LABELS[i] == label).count();
        assertTrue(Math.abs(mine - 100.0 / holders[label]) < 1, "label " + label + ": " + mine);
      }
    }
  }

  @Test
  void dirichletStopsFeedingASiteOnceItHoldsItsEqualShare() {
    // when: alpha 0.1 concentrates each class on one or two sites
    List<int[]> parts = Partitioner.partition(LABELS, 10, 5, "dirichlet:0.1", 3);
    // then: a site grows only while below 1000/5 = 200, so it ends at most one class (100) above that
    parts.forEach(part -> assertTrue(part.length <= 300, "a site holds " + part.length));
  }

  @Test
  void dirichletCoversEverythingSkewsLabelsAndIsSeeded() {
    // when
    List<int[]> first = Partitioner.partition(LABELS, 10, 5, "dirichlet:0.1", 7);
    List<int[]> again = Partitioner.partition(LABELS, 10, 5, "dirichlet:0.1", 7);
    // then
    assertExactCover(first);
    for (int s = 0; s < first.size(); s++) {
      assertArrayEquals(first.get(s), again.get(s));
      assertTrue(first.get(s).length >= 10);
    }
    // with alpha 0.1 some site holds a label share far from the uniform 20%
    long skewed = first.stream().filter(part -> {
      long zeros = Arrays.stream(part).filter(i -> LABELS[i] == 0).count();
      return zeros < 5 || zeros > 40;
    }).count();
    assertTrue(skewed > 0);
  }

  @Test
  void malformedSpecNamesTheFlag() {
    // when
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Partitioner.partition(LABELS, 10, 3, "shards:two", 1));
    // then
    assertTrue(e.getMessage().startsWith("--partition"), e.getMessage());
  }
}

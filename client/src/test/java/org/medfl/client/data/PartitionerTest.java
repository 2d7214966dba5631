package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

  @Test
  void fileGivesEachSiteItsLineOfIndices(@TempDir Path dir) throws IOException {
    // given: three sites, commas or spaces, a comment and a blank line
    Path file = dir.resolve("draw.txt");
    Files.writeString(file, "# drawn elsewhere\n5, 1,3\n\n0 2\n4\n");
    // when
    List<int[]> parts = Partitioner.partition(new int[] {0, 1, 0, 1, 0, 1}, 2, 3, "file:" + file, 1);
    // then: each site's indices, sorted
    assertArrayEquals(new int[] {1, 3, 5}, parts.get(0));
    assertArrayEquals(new int[] {0, 2}, parts.get(1));
    assertArrayEquals(new int[] {4}, parts.get(2));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // file lines (';' ends a line) | what the message must say
      "0 1;1 2     | example 1 is given to site 1 and again to site 2 (line 2)",
      "0 1;2 9     | line 2: index 9 is outside the data set's 6 examples (0 to 5)",
      "0 -1;2      | line 1: index -1 is outside",
      "0 1;2 x     | line 2: 'x' is not an example index",
      "0 1;2 3;4 5 | line 3 would be site 3, but the federation has 2 sites",
      "0 1 2       | the file lists 1 sites, but the federation has 2"})
  void fileWithWrongIndicesIsRefusedWithTheLine(String lines, String expected, @TempDir Path dir)
      throws IOException {
    // given
    Path file = dir.resolve("draw.txt");
    Files.writeString(file, lines.replace(';', '\n') + "\n");
    // when
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Partitioner.partition(new int[6], 2, 2, "file:" + file, 1));
    // then
    assertTrue(e.getMessage().startsWith("--partition file:"), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void missingFileIsRefusedNamingTheFlag(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Partitioner.partition(new int[6], 2, 2, "file:" + dir.resolve("absent.txt"), 1));
    assertTrue(e.getMessage().startsWith("--partition file:") && e.getMessage().contains("cannot read the file"),
        e.getMessage());
  }
}

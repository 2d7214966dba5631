package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoDataTest {

  @TempDir
  Path tmp;

  @Test
  void sameSeedWritesIdenticalBytes() throws IOException {
    // when
    DemoData.generate(tmp.resolve("a"), 1, 20, 28, 42);
    DemoData.generate(tmp.resolve("b"), 1, 20, 28, 42);
    DemoData.generate(tmp.resolve("c"), 1, 20, 28, 43);

    // then
    Map<String, byte[]> a = contents(tmp.resolve("a"));
    Map<String, byte[]> b = contents(tmp.resolve("b"));
    Map<String, byte[]> c = contents(tmp.resolve("c"));
    assertEquals(20, a.size());
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name), b.get(name), name);
    }
    assertFalse(a.keySet().equals(c.keySet()) && a.keySet().stream()
        .allMatch(n -> java.util.Arrays.equals(a.get(n), c.get(n))), "another seed must give other images");
  }

  @Test
  void sitesGetDifferentClassMixesWithEveryClassPresent() {
    // when
    int[][] counts = new int[3][];
    for (int site = 0; site < 3; site++) {
      DemoData.generate(tmp.resolve("site-" + site), site, 100, 12, 7);
      counts[site] = ImageFolderSource.load(tmp.resolve("site-" + site), DemoData.classes(), 12, 12, 1)
          .report().perClass().values().stream().mapToInt(Integer::intValue).toArray();
    }

    // then: circle, square, triangle, cross
    assertArrayEquals(new int[] {40, 40, 10, 10}, counts[0]);
    assertArrayEquals(new int[] {10, 10, 40, 40}, counts[1]);
    assertArrayEquals(new int[] {25, 25, 25, 25}, counts[2]);
  }

  @Test
  void fewImagesStillCoverEveryClass() {
    // when
    DemoData.generate(tmp, 0, 5, 8, 1);

    // then
    var perClass = ImageFolderSource.load(tmp, DemoData.classes(), 8, 8, 1).report().perClass();
    assertTrue(perClass.values().stream().allMatch(n -> n >= 1), perClass.toString());
    assertEquals(5, perClass.values().stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void classesAreTheFourShapes() {
    // when / then
    assertEquals(List.of("circle", "square", "triangle", "cross"), DemoData.classes());
  }

  private static Map<String, byte[]> contents(Path dir) throws IOException {
    var out = new TreeMap<String, byte[]>();
    try (var files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }
}

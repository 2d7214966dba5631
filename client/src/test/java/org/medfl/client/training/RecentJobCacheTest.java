package org.medfl.client.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentJobCacheTest {
  private final List<String> built = new ArrayList<>();

  private String build(String jobId) {
    built.add(jobId);
    return "trainer of " + jobId;
  }

  @Test
  void buildsOncePerJobAndDropsTheLeastRecentlyUsed() {
    // given: room for two jobs
    RecentJobCache<String> cache = new RecentJobCache<>(2);
    String a = cache.get("a", this::build).value();
    cache.get("b", this::build);
    // when: a is used again, then a third job arrives
    assertSame(a, cache.get("a", this::build).value());
    RecentJobCache.Lookup<String> c = cache.get("c", this::build);
    // then: b, used least recently, made room; a was built only once
    assertEquals(List.of("b"), c.dropped());
    assertEquals(List.of("a", "c"), cache.jobs());
    assertEquals(List.of("a", "b", "c"), built);
    // and: b coming back is built again, dropping a
    assertEquals(List.of("a"), cache.get("b", this::build).dropped());
    assertEquals(List.of("a", "b", "c", "b"), built);
  }

  @Test
  void aBuildThatFailsKeepsNothing() {
    RecentJobCache<String> cache = new RecentJobCache<>(1);
    assertThrows(IllegalStateException.class, () -> cache.get("a", id -> {
      throw new IllegalStateException("no data");
    }));
    assertEquals(List.of(), cache.jobs());
  }

  @Test
  void capacityBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RecentJobCache<String>(0));
  }
}

package org.medfl.deploy.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.proto.v1.RoundSummary;

/**
 * A whole federation with secure aggregation and distributed differential privacy: the coordinator never holds an
 * individual update (its audit log records only masked ones), every round is unmasked, and epsilon is reported.
 */
class SecureAggregationIT {
  @Test
  void federationWithSecureAggregationAndDistributedDpFinishes(@TempDir Path dir) throws Exception {
    // given: 3 sites, threshold 2, distributed DP with a generous budget
    StringWriter console = new StringWriter();
    Simulation.Options options = Simulation.Options.demo(3, 2, dir.resolve("run"), 60, 7).withSpec(
        "secure_aggregation: {threshold: 2}\n"
            + "dp: {mode: distributed, clip: 1.0, noise_multiplier: 0.3, delta: 0.00001, max_epsilon: 1000}\n");
    // when
    Simulation.Result result = new Simulation(options, new PrintWriter(console, true)).run();
    // then
    assertEquals("FINISHED", result.state(), console.toString());
    assertTrue(result.auditIntact(), console.toString());
    List<String> log = Files.readAllLines(result.auditLog());
    assertEquals(6, log.stream().filter(l -> l.contains("\"masked_update_received\"")).count());
    assertFalse(log.stream().anyMatch(l -> l.contains("\"update_received\"")), "a plain update reached the coordinator");
    assertEquals(2, log.stream().filter(l -> l.contains("\"secure_aggregation_unmasked\"")).count());
    RoundSummary last = result.rounds().get(result.rounds().size() - 1);
    assertTrue(last.hasEpsilon() && last.getEpsilon() > 0);
    assertEquals(3, result.sites().size());
  }
}

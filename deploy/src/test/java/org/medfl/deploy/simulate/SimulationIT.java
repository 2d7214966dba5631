package org.medfl.deploy.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job, small: real agents, real TLS sockets, real DL4J training, real files. */
class SimulationIT {
  @Test
  void wholeFederationRunsAndLeavesModelAuditLogAndLedgers(@TempDir Path dir) throws Exception {
    // given
    StringWriter console = new StringWriter();
    Simulation.Options options = Simulation.Options.demo(2, 2, dir.resolve("run"), 60, 7);
    // when
    Simulation.Result result = new Simulation(options, new PrintWriter(console, true)).run();
    // then: the job finished with a verified audit log and per-round progress lines
    assertEquals("FINISHED", result.state(), console.toString());
    assertTrue(result.auditIntact(), console.toString());
    assertEquals(2, result.rounds().size());
    assertTrue(console.toString().contains("1/2"), console.toString());
    assertTrue(console.toString().contains("2/2"), console.toString());
    // the model is a DL4J zip that ModelSerializer loads
    MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(result.model().toFile());
    assertTrue(net.numParams() > 0);
    assertEquals(2, result.sites().size());
    // only Fleet calls left each site, and the only large payloads were model updates
    for (String site : List.of("hospital-1", "hospital-2")) {
      Path ledger = dir.resolve("run/site-state").resolve(site).resolve("egress.jsonl");
      long updateBytes = 0;
      for (String line : Files.readAllLines(ledger)) {
        JsonNode call = new ObjectMapper().readTree(line);
        if (call.get("kind").asText().equals("audit_anchor")) {
          continue;
        }
        String method = call.get("method").asText();
        assertTrue(method.startsWith("fl.v1.Fleet/"), method);
        if (method.endsWith("/PushUpdate")) {
          updateBytes += call.get("bytes").asLong();
        } else {
          assertTrue(call.get("bytes").asLong() < 1024, line);
        }
        assertTrue(java.util.Set.of("join", "poll", "fetch_model_request", "update_header", "update_chunk",
            "evaluation_report")
            .contains(call.get("kind").asText()), line);
      }
      assertTrue(updateBytes >= 2L * 4 * net.numParams(), "two rounds of float32 updates from " + site);
    }
    JsonNode summary = new ObjectMapper().readTree(result.summary().toFile());
    assertEquals(result.jobId(), summary.get("job_id").asText());
    assertTrue(summary.get("rounds").get(1).get("federated_evaluation").get("accuracy").asDouble() > 0);
  }

  @Test
  void phantomFederationReadsDicomAndEvaluatesAtEverySite(@TempDir Path dir) throws Exception {
    // given
    StringWriter console = new StringWriter();
    Simulation.Options options = Simulation.Options.phantoms(2, 2, dir.resolve("run"), 40, 7);
    // when
    Simulation.Result result = new Simulation(options, new PrintWriter(console, true)).run();
    // then the sites trained on DICOM files, the console says they are synthetic, and each site evaluated the model
    assertEquals("FINISHED", result.state(), console.toString());
    assertTrue(result.auditIntact(), console.toString());
    assertTrue(console.toString().contains("SYNTHETIC CT PHANTOMS, not patient data"), console.toString());
    try (var files = Files.walk(dir.resolve("run/data/hospital-1/nodule"))) {
      assertTrue(files.anyMatch(f -> f.toString().endsWith(".dcm")));
    }
    assertEquals(List.of("hospital-1", "hospital-2"), result.sites().stream().map(Simulation.SiteResult::site)
        .sorted().toList());
    for (Simulation.SiteResult site : result.sites()) {
      assertTrue(site.validationImages() > 0, site.toString());
      assertTrue(site.accuracy() >= 0 && site.accuracy() <= 1, site.toString());
    }
    assertTrue(Files.readString(dir.resolve("run/job.yaml")).contains("center: -600.0"));
  }
}

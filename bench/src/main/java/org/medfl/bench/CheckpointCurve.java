package org.medfl.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.medfl.client.data.LabeledImages;
import org.medfl.common.job.JobSpec;
import org.medfl.common.model.NativeAcceleration;
import org.medfl.common.store.AtomicFiles;
import org.medfl.deploy.simulate.SimulationData;
import org.medfl.deploy.simulate.TestSetEvaluation;

/**
 * Test accuracy per round of a Fashion-MNIST job, from the global models its coordinator checkpointed after every
 * round, on the official 10,000 test images. Works on a job that is still running or was stopped, so a long
 * convergence run yields its curve so far. Argument: the job's folder in the coordinator's state directory.
 */
public final class CheckpointCurve {
  private CheckpointCurve() {}

  /** Prints round and test accuracy, one line per checkpointed round. */
  public static void main(String[] args) throws Exception {
    NativeAcceleration.enable();
    Path jobDir = Path.of(args[0]);
    JobSpec spec = JobSpec.parse(Files.readString(jobDir.resolve("spec.yaml"), StandardCharsets.UTF_8));
    LabeledImages test = SimulationData.fashionMnistTest();
    List<Path> models;
    try (Stream<Path> files = Files.list(jobDir.resolve("models"))) {
      models = files.filter(f -> f.getFileName().toString().matches("round-\\d+\\.bin")).sorted().toList();
    }
    System.out.printf("%-6s %-14s%n", "round", "test accuracy");
    for (Path model : models) {
      int round = Integer.parseInt(model.getFileName().toString().replaceAll("\\D", ""));
      double accuracy = TestSetEvaluation.accuracy(spec, AtomicFiles.readFloats(model), test);
      System.out.printf("%-6d %.4f%n", round, accuracy);
    }
  }
}

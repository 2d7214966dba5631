package org.medfl.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.medfl.client.data.LabeledImages;
import org.medfl.common.job.JobSpec;
import org.medfl.common.metrics.ConfusionMatrix;
import org.medfl.common.model.NativeAcceleration;
import org.medfl.common.store.AtomicFiles;
import org.medfl.deploy.simulate.SimulationData;
import org.medfl.deploy.simulate.TestSetEvaluation;

/**
 * Test accuracy per round of a Fashion-MNIST job, from the global models its coordinator checkpointed after every
 * round, on the official 10,000 test images. Works on a job that is still running or was stopped, so a long
 * convergence run yields its curve so far. Arguments: the job's folder in the coordinator's state directory, then
 * optionally {@code --per-class} to add each class's recall (the share of its test images classified as it), which
 * shows which classes a round gained or lost.
 */
public final class CheckpointCurve {
  private CheckpointCurve() {}

  /** Prints round and test accuracy, one line per checkpointed round. */
  public static void main(String[] args) throws Exception {
    NativeAcceleration.enable();
    if (args.length == 0 || args.length > 2 || (args.length == 2 && !args[1].equals("--per-class"))) {
      System.err.println("usage: CheckpointCurve JOB_DIR [--per-class]");
      System.exit(2);
    }
    Path jobDir = Path.of(args[0]);
    boolean perClass = args.length == 2;
    JobSpec spec = JobSpec.parse(Files.readString(jobDir.resolve("spec.yaml"), StandardCharsets.UTF_8));
    LabeledImages test = SimulationData.fashionMnistTest();
    List<Path> models;
    try (Stream<Path> files = Files.list(jobDir.resolve("models"))) {
      models = files.filter(f -> f.getFileName().toString().matches("round-\\d+\\.bin")).sorted().toList();
    }
    StringBuilder header = new StringBuilder(String.format("%-6s %-14s", "round", "test accuracy"));
    if (perClass) {
      spec.classes().forEach(name -> header.append(String.format(" %-11s", name)));
    }
    System.out.println(header.toString().stripTrailing());
    for (Path model : models) {
      int round = Integer.parseInt(model.getFileName().toString().replaceAll("\\D", ""));
      ConfusionMatrix confusion = TestSetEvaluation.confusion(spec, AtomicFiles.readFloats(model), test);
      StringBuilder line = new StringBuilder(String.format("%-6d %-14.4f", round, confusion.accuracy()));
      for (int c = 0; perClass && c < confusion.classes(); c++) {
        line.append(String.format(" %-11.4f", confusion.recall(c)));
      }
      System.out.println(line.toString().stripTrailing());
    }
  }
}

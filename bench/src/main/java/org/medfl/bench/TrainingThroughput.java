package org.medfl.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.medfl.client.data.DemoData;
import org.medfl.client.data.ImageFolderSource;
import org.medfl.client.data.LabeledImages;
import org.medfl.client.training.LocalTrainer;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.ModelSpec;
import org.medfl.common.job.OptimizerSpec;
import org.medfl.common.model.ModelZoo;
import org.medfl.common.model.NativeAcceleration;
import org.medfl.common.model.Parameters;

/**
 * Measures local training speed of cnn-fedavg (28x28x1, batch 32) with and without oneDNN helpers.
 * A main, not a test: timings depend on the machine and its load. Arguments: images (640), rounds (3).
 */
public final class TrainingThroughput {

  private TrainingThroughput() {}

  /** Prints images per second for helpers on, then off, in one JVM. */
  public static void main(String[] args) throws Exception {
    int images = args.length > 0 ? Integer.parseInt(args[0]) : 640;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Files.createTempDirectory("medfl-throughput");
    DemoData.generate(dir, 2, images, 28, 42);
    LabeledImages data = ImageFolderSource.load(dir, DemoData.classes(), 28, 28, 1).images();
    JobSpec spec = new JobSpec("throughput", ModelSpec.of("cnn-fedavg"), DemoData.classes(), rounds, 1, 1.0, 1, 32,
        new OptimizerSpec("adam", 0.001), 600, 42, "fedavg", 0.0, List.of());
    for (String disabled : List.of("false", "true")) {
      // DL4J reads the switch whenever a layer is built, so each trainer below gets its own setting.
      System.setProperty(NativeAcceleration.HELPERS_PROPERTY, disabled);
      var trainer = new LocalTrainer(spec, data);
      float[] global = Parameters.copyOut(ModelZoo.build(spec), null);
      trainer.train(global, 0, null); // warm-up: JIT, native kernels, workspaces
      double seconds = 0;
      for (int round = 1; round <= rounds; round++) {
        seconds += trainer.train(global, round, null).seconds();
      }
      System.out.printf("%s: %.0f images/s (%d images x %d rounds in %.2f s)%n", NativeAcceleration.describe(),
          trainer.trainSize() * (double) rounds / seconds, trainer.trainSize(), rounds, seconds);
    }
  }
}

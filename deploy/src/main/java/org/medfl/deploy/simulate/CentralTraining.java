package org.medfl.deploy.simulate;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.medfl.client.data.LabeledImages;
import org.medfl.client.data.SiteData;
import org.medfl.client.training.LocalTrainer;
import org.medfl.client.training.TrainResult;
import org.medfl.common.job.JobSpec;
import org.medfl.common.model.ModelZoo;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The baseline a consortium compares a federated model against: the same model trained on the pooled data of all the
 * sites, with the same budget (rounds x local epochs passes over every image) and the same optimiser recipe.
 */
public final class CentralTraining {
  private final PrintWriter out;
  private final int threads;

  /** A trainer that prints one line per round to {@code out}. */
  public CentralTraining(PrintWriter out) {
    this(out, 1);
  }

  /** As {@link #CentralTraining(PrintWriter)}, each step split across {@code threads} threads (see LocalTrainer). */
  public CentralTraining(PrintWriter out, int threads) {
    this.out = out;
    this.threads = threads;
  }

  /** Accuracy after each round on the pooled held-out split, and on the test set when there is one. */
  public record Result(List<Double> validationAccuracy, List<Double> testAccuracy, float[] parameters,
      double seconds) {}

  /**
   * Trains on the union of the site folders under {@code dataRoot}.
   *
   * @param spec the job the federation would run (rounds, local_epochs, model, optimiser, seed)
   * @param testSet evaluated after every round when not null
   */
  public Result run(JobSpec spec, Path dataRoot, List<String> sites, LabeledImages testSet) {
    LabeledImages pooled = pool(spec, dataRoot, sites);
    LocalTrainer trainer = new LocalTrainer(spec, pooled, threads);
    out.printf("central training: %d images pooled from %d sites (%d held out), %d rounds x %d epochs, %d training "
        + "thread%s%n", pooled.size(), sites.size(), trainer.validationSize(), spec.rounds(), spec.localEpochs(),
        trainer.threads(), trainer.threads() == 1 ? "" : "s");
    out.printf("%-7s %-10s %-10s %-10s %-8s%n", "round", "loss", "val acc", "test acc", "seconds");
    float[] params = ModelZoo.initialParameters(spec);
    List<Double> validation = new ArrayList<>();
    List<Double> test = new ArrayList<>();
    long start = System.nanoTime();
    for (int round = 1; round <= spec.rounds(); round++) {
      TrainResult result = trainer.train(params, round, null);
      float[] next = new float[params.length];
      for (int i = 0; i < next.length; i++) {
        next[i] = params[i] + result.delta()[i];
      }
      params = next;
      double testAccuracy = testSet == null ? Double.NaN : TestSetEvaluation.accuracy(spec, params, testSet);
      validation.add(result.valAccuracy());
      test.add(testAccuracy);
      out.printf("%-7s %-10.4f %-10.4f %-10.4f %-8.1f%n", round + "/" + spec.rounds(), result.trainLoss(),
          result.valAccuracy(), testAccuracy, result.seconds());
      out.flush();
    }
    return new Result(validation, test, params, (System.nanoTime() - start) / 1e9);
  }

  private static LabeledImages pool(JobSpec spec, Path dataRoot, List<String> sites) {
    List<INDArray> features = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<String> patients = new ArrayList<>();
    for (String site : sites) {
      Path dir = dataRoot.resolve(site);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      LabeledImages images = SiteData.load(dir, spec).images();
      features.add(images.features());
      for (int label : images.labels()) {
        labels.add(label);
      }
      // Patient ids stay site-qualified so two hospitals' "p0001" never merge.
      for (String patient : images.patientIds()) {
        patients.add(patient == null ? null : site + "/" + patient);
      }
    }
    INDArray all = features.size() == 1 ? features.get(0) : Nd4j.concat(0, features.toArray(new INDArray[0]));
    return new LabeledImages(all, labels.stream().mapToInt(Integer::intValue).toArray(), spec.classes(), patients);
  }
}

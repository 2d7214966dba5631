package org.medfl.client.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.data.DemoData;
import org.medfl.client.data.ImageFolderSource;
import org.medfl.client.data.LabeledImages;
import org.medfl.common.job.AugmentationSpec;
import org.medfl.common.job.EvaluationSpec;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.ModelSpec;
import org.medfl.common.job.OptimizerSpec;
import org.medfl.common.job.PreprocessingSpec;
import org.medfl.common.model.ModelZoo;
import org.medfl.common.model.Network;
import org.medfl.common.model.Parameters;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link SplitMinibatch}: a minibatch split across threads takes the step the whole minibatch would. */
class SplitMinibatchTest {

  private static final double ETA = 0.1;

  // One linear unit y = w1*x1 + w2*x2 + b with mean squared error, as in FedProxTest; flat parameters [w1, w2, b].
  private static final float[] W = {0.5f, -0.25f, 0.1f};
  private static final float[] W_GLOBAL = {0.3f, 0.0f, 0.2f};
  private static final INDArray X = Nd4j.createFromArray(new float[][] {{1f, 2f}, {-1f, 0.5f}, {2f, -1f}});
  private static final INDArray Y = Nd4j.createFromArray(new float[][] {{1f}, {0f}, {0.5f}});

  // Hand computation for X = [(1, 2), (-1, 0.5), (2, -1)], Y = [1, 0, 0.5] at W = (0.5, -0.25, 0.1):
  //   predictions p = (0.1, -0.525, 1.35), errors e = p - y = (-0.9, -0.525, 0.85)
  //   loss = mean of e^2 over 3 examples, so dLoss/dp_i = 2*e_i/3
  //   sum of e_i * (x_i, 1) = (-0.9 + 0.525 + 1.7, -1.8 - 0.2625 - 0.85, -0.9 - 0.525 + 0.85)
  //                         = (1.325, -2.9125, -0.575)
  //   g = 2/3 * that = (0.883333, -1.941667, -0.383333)
  //   SGD:     W - 0.1*g                          = (0.411667, -0.055833, 0.138333)
  //   FedProx: W - 0.1*(g + 0.5*(W - W_GLOBAL))   = W - 0.1*(0.983333, -2.066667, -0.433333)
  //                                               = (0.401667, -0.043333, 0.143333)
  //   mean loss = (0.81 + 0.275625 + 0.7225) / 3 = 0.602708
  private static final float[] SGD_STEP = {0.411667f, -0.055833f, 0.138333f};
  private static final float[] FEDPROX_STEP = {0.401667f, -0.043333f, 0.143333f};
  private static final double MEAN_LOSS = 0.602708;

  private static LabeledImages images;

  @BeforeAll
  static void generate(@TempDir Path dir) {
    DemoData.generate(dir, 2, 120, 28, 7);
    images = ImageFolderSource.load(dir, DemoData.classes(), 28, 28, 1).images();
  }

  private static Network sequential() {
    return LinearUnit.sequential(W, ETA);
  }

  private static Network graph() {
    return LinearUnit.graph(W, ETA);
  }

  @Test
  void stepSplitAcrossTwoThreadsIsTheWholeMinibatchStep() {
    for (Network net : List.of(sequential(), graph())) {
      // given: chunks of 2 and 1 examples
      var split = SplitMinibatch.attach(net, 2);

      // when
      split.fit(X, Y);

      // then
      assertArrayEquals(SGD_STEP, Parameters.copyOut(net, null), 1e-6f, net.isGraph() ? "graph" : "sequential");
      assertEquals(MEAN_LOSS, split.score(), 1e-5);
    }
  }

  @Test
  void moreThreadsThanExamplesStillTakesTheWholeMinibatchStep() {
    // given: 5 threads for 3 examples, so three chunks of one
    Network net = sequential();
    var split = SplitMinibatch.attach(net, 5);

    // when
    split.fit(X, Y);

    // then
    assertArrayEquals(SGD_STEP, Parameters.copyOut(net, null), 1e-6f);
    assertEquals(MEAN_LOSS, split.score(), 1e-5);
  }

  @Test
  void fedProxTermIsAddedOnceToTheWholeMinibatchGradient() {
    // given: the split attached first, as LocalTrainer does
    Network net = sequential();
    var split = SplitMinibatch.attach(net, 2);
    ProximalTerm.attach(net, 0.5).anchorAt(W_GLOBAL);

    // when
    split.fit(X, Y);

    // then
    assertArrayEquals(FEDPROX_STEP, Parameters.copyOut(net, null), 1e-6f);
  }

  @Test
  void batchNormalisationAndOneThreadAreRefused() {
    JobSpec resnet = spec("resnet-small", "adam", "fedavg", 0);
    assertThrows(IllegalArgumentException.class, () -> SplitMinibatch.attach(ModelZoo.network(resnet), 2));
    assertThrows(IllegalArgumentException.class, () -> SplitMinibatch.attach(sequential(), 1));
  }

  @Test
  void localTrainerOnThreeThreadsMatchesOneThreadUpToRounding() {
    // given: batch 7 over 96 training images, so chunks of 3, 2, 2 and a last minibatch of 5 (2, 2, 1)
    JobSpec spec = spec("cnn-niid", "momentum", "fedprox", 0.01);
    float[] global = Parameters.copyOut(ModelZoo.network(spec), null);

    // when
    TrainResult one = new LocalTrainer(spec, images, 1).train(global, 1, null);
    var threeThreads = new LocalTrainer(spec, images, 3);
    TrainResult three = threeThreads.train(global, 1, null);

    // then: same steps, summed in another order
    assertEquals(3, threeThreads.threads());
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < global.length; i++) {
      diff += Math.pow(one.delta()[i] - three.delta()[i], 2);
      norm += Math.pow(one.delta()[i], 2);
    }
    assertTrue(norm > 0, "training moved the parameters");
    assertTrue(Math.sqrt(diff / norm) < 1e-3, "relative difference " + Math.sqrt(diff / norm));
    assertEquals(one.trainLoss(), three.trainLoss(), 1e-3);
    assertEquals(one.valAccuracy(), three.valAccuracy(), 0.05);
  }

  @Test
  void splitTrainingIsReproducible() {
    // given
    JobSpec spec = spec("cnn-niid", "adam", "fedavg", 0);
    float[] global = Parameters.copyOut(ModelZoo.network(spec), null);

    // when
    float[] first = new LocalTrainer(spec, images, 2).train(global, 3, null).delta();
    float[] second = new LocalTrainer(spec, images, 2).train(global, 3, null).delta();

    // then
    assertArrayEquals(first, second);
  }

  @Test
  void batchNormalisedNetworkIsNotSplitAndGetsMultiThreadedOperations(@TempDir Path dir) {
    DemoData.generate(dir, 0, 12, 64, 7);
    LabeledImages large = ImageFolderSource.load(dir, DemoData.classes(), 64, 64, 1).images();
    JobSpec spec = spec("resnet-small", "adam", "fedavg", 0);
    var trainer = new LocalTrainer(spec, large, 2);
    assertEquals(1, trainer.threads());

    // when: trained after a one-thread trainer left OpenBLAS at one thread
    new LocalTrainer(spec("cnn-niid", "adam", "fedavg", 0), images, 1)
        .train(Parameters.copyOut(ModelZoo.network(spec("cnn-niid", "adam", "fedavg", 0)), null), 1, null);
    assertEquals(1, Nd4j.factory().blas().getMaxThreads());
    trainer.train(Parameters.copyOut(ModelZoo.network(spec), null), 1, null);

    // then: the unsplit network gets ND4J's thread count back for each operation
    assertEquals(Nd4j.getEnvironment().maxThreads(), Nd4j.factory().blas().getMaxThreads());
  }

  private static JobSpec spec(String model, String optimizer, String strategy, double mu) {
    ModelSpec m = model.equals("resnet-small") ? new ModelSpec(model, 64, 64, 1) : ModelSpec.of(model);
    return new JobSpec("split-test", m, DemoData.classes(), 1,
        1, 1.0, 1, 7, new OptimizerSpec(optimizer, 0.01), 60, 42, strategy, 0.2, List.of(), mu, "none", "middle",
        PreprocessingSpec.defaults(), AugmentationSpec.none(), EvaluationSpec.defaults(), null, null, 3);
  }
}

package org.medfl.client.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;

import org.junit.jupiter.api.Test;
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

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link ProximalTerm}: FedProx's local objective, checked against a step computed by hand. */
class FedProxTest {

  private static final double ETA = 0.1;
  private static final double MU = 0.5;

  // One linear unit y = w1*x1 + w2*x2 + b with mean squared error; flat parameters are [w1, w2, b].
  private static final float[] W = {0.5f, -0.25f, 0.1f};
  private static final float[] W_GLOBAL = {0.3f, 0.0f, 0.2f};
  private static final INDArray X = Nd4j.createFromArray(new float[][] {{1f, 2f}, {-1f, 0.5f}});
  private static final INDArray Y = Nd4j.createFromArray(new float[][] {{1f}, {0f}});

  private static Network sequential() {
    return LinearUnit.sequential(W, ETA);
  }

  private static Network graph() {
    return LinearUnit.graph(W, ETA);
  }

  // Hand computation for the minibatch X = [(1, 2), (-1, 0.5)], Y = [1, 0] at W = (0.5, -0.25, 0.1):
  //   predictions  p1 = 0.5*1 - 0.25*2 + 0.1 = 0.1       p2 = -0.5 - 0.125 + 0.1 = -0.525
  //   errors       e1 = p1 - 1 = -0.9                     e2 = p2 - 0 = -0.525
  //   loss = mean of e^2 over 2 examples, so dLoss/dp_i = 2*e_i/2 = e_i
  //   g = (e1*1 + e2*(-1), e1*2 + e2*0.5, e1 + e2) = (-0.375, -2.0625, -1.425)
  //   mu*(W - W_GLOBAL) = 0.5*(0.2, -0.25, -0.1) = (0.1, -0.125, -0.05)
  //   FedProx: W - 0.1*(g + mu*(W - W_GLOBAL)) = W - 0.1*(-0.275, -2.1875, -1.475) = (0.5275, -0.03125, 0.2475)
  //   FedAvg:  W - 0.1*g                                                            = (0.5375, -0.04375, 0.2425)
  private static final float[] FEDPROX_STEP = {0.5275f, -0.03125f, 0.2475f};
  private static final float[] PLAIN_STEP = {0.5375f, -0.04375f, 0.2425f};

  @Test
  void oneSgdStepAddsMuTimesDistanceToGlobalToTheGradient() {
    // given
    Network net = sequential();
    ProximalTerm.attach(net, MU).anchorAt(W_GLOBAL);

    // when
    net.fit(X, Y);

    // then
    assertArrayEquals(FEDPROX_STEP, Parameters.copyOut(net, null), 1e-6f);
  }

  @Test
  void computationGraphsGetTheSameStep() {
    // given
    Network net = graph();
    ProximalTerm.attach(net, MU).anchorAt(W_GLOBAL);

    // when
    net.fit(X, Y);

    // then
    assertArrayEquals(FEDPROX_STEP, Parameters.copyOut(net, null), 1e-6f);
  }

  @Test
  void muZeroTrainsExactlyAsFedAvg() {
    // given
    Network prox = sequential();
    ProximalTerm.attach(prox, 0).anchorAt(W_GLOBAL);
    Network plain = sequential();

    // when
    prox.fit(X, Y);
    plain.fit(X, Y);

    // then
    assertArrayEquals(PLAIN_STEP, Parameters.copyOut(plain, null), 1e-6f);
    assertArrayEquals(Parameters.copyOut(plain, null), Parameters.copyOut(prox, null));
  }

  @Test
  void trainingWithoutAnAnchorIsRefused() {
    // given
    Network net = sequential();
    ProximalTerm.attach(net, MU);

    // when
    var e = assertThrows(IllegalStateException.class, () -> net.fit(X, Y));

    // then
    assertEquals("ProximalTerm.anchorAt was not called before training", e.getMessage());
  }

  @Test
  void batchNormStatisticsAreNotPulledTowardsTheGlobalModel() {
    // given two identical resnets whose anchors lie 1 away from every parameter, one with a strong pull
    JobSpec spec = new JobSpec("prox", new ModelSpec("resnet-small", 64, 64, 1), List.of("a", "b"), 1, 1, 1.0, 1, 2,
        new OptimizerSpec("sgd", 0.01), 60, 1, "fedavg", 0.0, List.of());
    Network weak = ModelZoo.network(spec);
    Network strong = ModelZoo.network(spec);
    float[] anchor = Parameters.copyOut(weak, null);
    for (int i = 0; i < anchor.length; i++) {
      anchor[i] += 1f;
    }
    ProximalTerm.attach(weak, 0).anchorAt(anchor);
    ProximalTerm.attach(strong, 10).anchorAt(anchor);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, 64, 64);
    INDArray y = Nd4j.createFromArray(new float[][] {{1f, 0f}, {0f, 1f}});

    // when
    weak.fit(x, y);
    strong.fit(x, y);

    // then: conv weights moved apart; BN's running mean and variance (DL4J parameters) did not
    var weakBn = ((ComputationGraph) weak.dl4j()).getLayer("stem-bn");
    var strongBn = ((ComputationGraph) strong.dl4j()).getLayer("stem-bn");
    assertEquals(weakBn.getParam("mean"), strongBn.getParam("mean"));
    assertEquals(weakBn.getParam("var"), strongBn.getParam("var"));
    assertFalse(weakBn.getParam("gamma").equals(strongBn.getParam("gamma")));
    assertFalse(((ComputationGraph) weak.dl4j()).getLayer("stem-conv").params()
        .equals(((ComputationGraph) strong.dl4j()).getLayer("stem-conv").params()));
  }

  @Test
  void localTrainerWithFedProxOptimisesTheProximalObjective() {
    // given 32 random 16x16 images, one minibatch of all of them, plain SGD with eta = 0.1 and mu = 10, so that
    // eta*mu = 1 and each step w' = w - eta*(g(w) + mu*(w - w_global)) = w_global - eta*g(w):
    //   epoch 1 starts at w_global (no pull yet): w1 = w_global - eta*g(w_global)
    //   epoch 2:                                  w2 = w_global - eta*g(w1), so delta = -eta*g(w1),
    // which is what plain FedAvg's delta is for one epoch that starts at w1.
    int n = 32;
    int[] labels = new int[n];
    java.util.Arrays.setAll(labels, i -> i % 2);
    Nd4j.getRandom().setSeed(11);
    var data = new LabeledImages(Nd4j.rand(DataType.FLOAT, n, 1, 16, 16), labels, List.of("a", "b"),
        java.util.Collections.nCopies(n, null));
    JobSpec fedprox = job("fedprox", 10, 2, n);
    JobSpec fedavgOneEpoch = job("fedavg", 0, 1, n);
    float[] global = Parameters.copyOut(ModelZoo.network(fedprox), null);
    float[] w1 = global.clone();
    float[] firstStep = new LocalTrainer(fedavgOneEpoch, data).train(global, 1, null).delta();
    for (int i = 0; i < w1.length; i++) {
      w1[i] += firstStep[i];
    }

    // when
    float[] proxDelta = new LocalTrainer(fedprox, data).train(global, 1, null).delta().clone();
    float[] expected = new LocalTrainer(fedavgOneEpoch, data).train(w1, 1, null).delta();

    // then
    assertArrayEquals(expected, proxDelta, 1e-5f);
    assertFalse(java.util.Arrays.equals(firstStep, expected), "the two gradients differ, so the check has teeth");
  }

  private static JobSpec job(String strategy, double mu, int epochs, int batch) {
    return new JobSpec("prox", new ModelSpec("cnn-niid", 16, 16, 1), List.of("a", "b"), 1, 1, 1.0, epochs, batch,
        new OptimizerSpec("sgd", 0.1), 60, 5, strategy, 0.0, List.of(), mu, "none", "middle",
        PreprocessingSpec.defaults(), AugmentationSpec.none(), EvaluationSpec.defaults(), null, null, 3);
  }
}

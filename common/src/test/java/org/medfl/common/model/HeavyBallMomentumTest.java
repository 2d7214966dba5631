package org.medfl.common.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class HeavyBallMomentumTest {

  @Test
  void twoStepsFollowPytorchsMomentumRuleByHand() {
    // given a state for 2 parameters and gradients g1 = (1, -2), g2 = (0.5, 0.5); lr 0.1, momentum 0.9
    INDArray state = Nd4j.zeros(DataType.DOUBLE, 1, 2);
    var updater = new HeavyBallMomentum(0.1, 0.9).instantiate(state, true);
    INDArray g1 = Nd4j.createFromArray(new double[][] {{1, -2}});
    INDArray g2 = Nd4j.createFromArray(new double[][] {{0.5, 0.5}});

    // when
    updater.applyUpdater(g1, 0, 0);
    updater.applyUpdater(g2, 1, 0);

    // then v1 = g1, step1 = 0.1 * g1; v2 = 0.9 * v1 + g2 = (1.4, -1.3), step2 = (0.14, -0.13)
    assertArrayEquals(new double[] {0.1, -0.2}, g1.toDoubleVector(), 1e-12);
    assertArrayEquals(new double[] {0.14, -0.13}, g2.toDoubleVector(), 1e-12);
    assertArrayEquals(new double[] {1.4, -1.3}, state.toDoubleVector(), 1e-12);
  }

  @Test
  void aNetworkConfigurationWithItSurvivesJson() {
    // given
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(new HeavyBallMomentum(0.01, 0.9))
        .weightInit(WeightInit.XAVIER).list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
            .activation(Activation.SOFTMAX).build())
        .build();

    // when
    MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
    var net = new MultiLayerNetwork(back);
    net.init();
    net.fit(Nd4j.rand(DataType.FLOAT, 4, 3), Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}, {1, 0}, {0, 1}}));

    // then
    assertEquals(new HeavyBallMomentum(0.01, 0.9), back.getConf(0).getLayer().getUpdaterByParam("W"));
  }
}

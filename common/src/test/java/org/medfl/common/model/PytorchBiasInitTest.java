package org.medfl.common.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Layer;
import org.junit.jupiter.api.Test;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.ModelSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

class PytorchBiasInitTest {

  private static JobSpec niid(String weightInit) {
    return ModelZooArchitecturesTest.spec(new ModelSpec("cnn-niid", 28, 28, 1, 0, 0, null, weightInit), 10);
  }

  @Test
  void pytorchInitDrawsWeightsAndBiasesUniformWithinOneOverSqrtFanIn() {
    // given cnn-niid's fan-ins: conv1 1*5*5 = 25, conv2 6*5*5 = 150, fc1 256, fc2 120, out 84
    long[] fanIns = {25, 150, 256, 120, 84};

    // when
    Network net = ModelZoo.network(niid(ModelSpec.INIT_PYTORCH));

    // then every weight and bias lies in +-1/sqrt(fan_in), and spreads over it as U(-a, a) does (std a/sqrt(3))
    int withParams = 0;
    for (Layer layer : net.layers()) {
      INDArray w = layer.getParam("W");
      if (w == null) {
        continue;
      }
      INDArray b = layer.getParam("b");
      long fanIn = fanIns[withParams++];
      double bound = 1 / Math.sqrt(fanIn);
      for (INDArray values : new INDArray[] {w, b}) {
        assertTrue(values.amaxNumber().doubleValue() <= bound, "beyond " + bound + " in layer " + layer.getIndex());
      }
      double expectedStd = bound / Math.sqrt(3);
      assertEquals(expectedStd, w.stdNumber().doubleValue(), expectedStd * 0.15, "weights of layer " + layer.getIndex());
      assertTrue(b.amaxNumber().doubleValue() > bound / 10, "biases of layer " + layer.getIndex() + " still zero");
    }
    assertEquals(fanIns.length, withParams);
  }

  @Test
  void defaultInitKeepsZeroBiasesAndHeSpread() {
    // when
    Network net = ModelZoo.network(niid(ModelSpec.INIT_HE));

    // then fc1's weights follow He-normal, std sqrt(2/256), 2.4 times PyTorch's 1/sqrt(3*256), and biases are 0
    Layer fc1 = net.layers().get(4);
    assertEquals(Math.sqrt(2.0 / 256), fc1.getParam("W").stdNumber().doubleValue(), 0.01);
    for (Layer layer : net.layers()) {
      if (layer.getParam("b") != null) {
        assertEquals(0.0, layer.getParam("b").amaxNumber().doubleValue());
      }
    }
  }

  @Test
  void sameSeedGivesTheSameInitialModelEverywhere() {
    // when
    float[] first = ModelZoo.initialParameters(niid(ModelSpec.INIT_PYTORCH));
    float[] second = ModelZoo.initialParameters(niid(ModelSpec.INIT_PYTORCH));

    // then
    assertArrayEquals(first, second);
  }
}

package org.medfl.common.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.JobSpecException;
import org.medfl.common.job.ModelSpec;
import org.medfl.common.job.OptimizerSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.L2Regularization;

class ModelZooArchitecturesTest {

  static JobSpec spec(ModelSpec model, int classes) {
    List<String> labels = IntStream.range(0, classes).mapToObj(i -> "c" + i).toList();
    return new JobSpec("zoo", model, labels, 1, 1, 1.0, 1, 4, new OptimizerSpec("adam", 0.01), 60, 3, "fedavg", 0.0,
        List.of());
  }

  @Test
  void cnnNiidHasNiidBenchsParameterCount() {
    // given 28x28x1, 10 classes, no padding:
    //   conv1 5*5*1*6 + 6       =    156   28 -> 24, pool -> 12
    //   conv2 5*5*6*16 + 16     =  2,416   12 -> 8,  pool -> 4, flattened 4*4*16 = 256
    //   fc1   256*120 + 120     = 30,840
    //   fc2   120*84 + 84       = 10,164
    //   out   84*10 + 10        =    850
    //   total                   = 44,426
    JobSpec niid = spec(ModelSpec.of("cnn-niid"), 10);

    // when
    Network net = ModelZoo.network(niid);

    // then
    assertEquals(44_426L, 156 + 2_416 + 30_840 + 10_164 + 850);
    assertEquals(44_426L, net.numParams());
    assertEquals(44_426L, ModelZoo.parameterCount(niid));
  }

  @Test
  void cnnSmallHasTheKerasExamplesShape() {
    // given 28x28x1, 2 classes, "valid" convolutions:
    //   conv1 3*3*1*32 + 32     =     320   28 -> 26, pool -> 13
    //   conv2 3*3*32*64 + 64    =  18,496   13 -> 11, pool -> 5, flattened 5*5*64 = 1,600
    //   dense 1600*128 + 128    = 204,928
    //   out   128*2 + 2         =     258
    //   total                   = 224,002
    JobSpec small = spec(ModelSpec.of("cnn-small"), 2);

    // when
    Network net = ModelZoo.network(small);
    var out = net.output(Nd4j.rand(DataType.FLOAT, 3, 1, 28, 28));

    // then
    assertEquals(224_002L, 320 + 18_496 + 204_928 + 258);
    assertEquals(224_002L, net.numParams());
    assertEquals(224_002L, ModelZoo.parameterCount(small));
    assertArrayEquals(new long[] {3, 2}, out.shape());
    assertEquals(1.0, out.getRow(0).sumNumber().doubleValue(), 1e-5, "softmax rows sum to 1, for 2 classes too");
  }

  @Test
  void resnetSmallIsAGraphWithHandCountedParameters() {
    // given 64x64x3, 2 classes; convs before BN have no bias, BN holds gamma, beta, mean, var (4 per channel):
    //   stem  3*3*3*32 = 864, BN 128                                                      =     992
    //   res1  3*3*32*32 = 9,216 twice, BN 128 twice                                        =  18,688
    //   res2  3*3*32*64 = 18,432, 3*3*64*64 = 36,864, proj 32*64 = 2,048, BN 256 three times =  58,112
    //   res3  3*3*64*128 = 73,728, 3*3*128*128 = 147,456, proj 64*128 = 8,192, BN 512 x3     = 230,912
    //   out   128*2 + 2                                                                    =     258
    //   total                                                                              = 308,962
    JobSpec resnet = spec(new ModelSpec("resnet-small", 64, 64, 3), 2);

    // when
    Network net = ModelZoo.network(resnet);
    var out = net.output(Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64));

    // then
    assertEquals(308_962L, 992 + 18_688 + 58_112 + 230_912 + 258);
    assertInstanceOf(ComputationGraph.class, net.dl4j());
    assertEquals(308_962L, net.numParams());
    assertEquals(308_962L, ModelZoo.parameterCount(resnet));
    assertArrayEquals(new long[] {2, 2}, out.shape());
    assertThrows(IllegalArgumentException.class, () -> ModelZoo.build(resnet));
  }

  @Test
  void parameterCountAndLayerCountMatchDl4jForEveryModelAndOption() {
    for (String name : ModelZoo.names()) {
      int size = name.equals("resnet-small") ? 96 : 20;
      for (ModelSpec model : List.of(new ModelSpec(name, size, size + 8, 3),
          new ModelSpec(name, size, size, 1, 0.5, 1e-4,
              new org.medfl.common.job.PretrainedSpec("unused.zip", 2)))) {
        // given
        JobSpec job = spec(model, 3);

        // when
        Network net = ModelZoo.network(job);

        // then
        assertEquals(net.numParams(), ModelZoo.parameterCount(job), model.toString());
        assertEquals(ModelZoo.layerCount(name), net.layers().size(), name);
      }
    }
  }

  @Test
  void dropoutAndL2ReachTheLayersButNotTheInitialWeights() {
    // given
    JobSpec plain = spec(ModelSpec.of("cnn-fedavg"), 2);
    JobSpec regularised = spec(new ModelSpec("cnn-fedavg", 28, 28, 1, 0.25, 1e-3, null), 2);

    // when
    Network net = ModelZoo.network(regularised);

    // then: dropout before the dense and output layers only, as a keep probability of 0.75
    var dense = (BaseLayer) net.layers().get(4).conf().getLayer();
    var conv = (BaseLayer) net.layers().get(0).conf().getLayer();
    assertEquals(0.75, ((Dropout) dense.getIDropout()).getP(), 1e-12);
    assertEquals(null, conv.getIDropout());
    assertInstanceOf(L2Regularization.class, conv.getRegularization().get(0));
    assertInstanceOf(L2Regularization.class, dense.getRegularization().get(0));
    assertTrue(((BaseLayer) ModelZoo.network(plain).layers().get(4).conf().getLayer()).getRegularization().isEmpty());
    assertArrayEquals(Parameters.copyOut(ModelZoo.network(plain), null), Parameters.copyOut(net, null));
  }

  @Test
  void resnetSmallRefusesInputsOutside64To224AtSpecTime() {
    // when
    var small = assertThrows(JobSpecException.class, () -> new ModelSpec("resnet-small", 32, 64, 3));
    var large = assertThrows(JobSpecException.class, () -> new ModelSpec("resnet-small", 256, 64, 3));

    // then
    assertEquals("JOB.yaml: 'model.input.width' must be between 64 and 224 pixels for model 'resnet-small', got 32",
        small.getMessage());
    assertTrue(large.getMessage().startsWith("JOB.yaml: 'model.input.width'"), large.getMessage());
  }

  @Test
  void validConvolutionModelsRefuseInputsTheyWouldShrinkToNothing() {
    // when
    var e = assertThrows(JobSpecException.class, () -> new ModelSpec("cnn-niid", 28, 12, 1));

    // then
    assertEquals("JOB.yaml: 'model.input.height' must be between 16 and 512 pixels for model 'cnn-niid', got 12",
        e.getMessage());
  }
}

package org.medfl.common.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.ModelSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ModelZooTest {

  private static final JobSpec FOUR_CLASSES = JobSpec.demo(List.of("circle", "square", "triangle", "cross"));

  @Test
  void cnnFedAvgHasThePapersParameterCount() {
    // given 28x28x1 input, 4 classes, "same" padding:
    //   conv1 5*5*1*32 + 32    =     832
    //   pool  28x28 -> 14x14
    //   conv2 5*5*32*64 + 64   =  51,264
    //   pool  14x14 -> 7x7, flattened 7*7*64 = 3,136
    //   dense 3136*512 + 512   = 1,606,144
    //   out   512*4 + 4        =   2,052
    //   total                  = 1,660,292   (with 10 classes: 1,663,370, the paper's MNIST model)
    long expected = 832 + 51_264 + 1_606_144 + 2_052;

    // when
    MultiLayerNetwork net = ModelZoo.build(FOUR_CLASSES);

    // then
    assertEquals(1_660_292L, expected);
    assertEquals(expected, net.numParams());
    assertEquals(expected, ModelZoo.parameterCount(FOUR_CLASSES));
    assertEquals(DataType.FLOAT, net.params().dataType());
  }

  @Test
  void sameSeedGivesSameInitialWeights() {
    // when
    float[] a = Parameters.copyOut(ModelZoo.build(FOUR_CLASSES), null);
    float[] b = Parameters.copyOut(ModelZoo.build(FOUR_CLASSES), null);
    float[] c = Parameters.copyOut(ModelZoo.build(FOUR_CLASSES.withSeed(7)), null);

    // then
    assertArrayEquals(a, b);
    assertEquals(false, java.util.Arrays.equals(a, c));
  }

  @Test
  void inputShapeAndClassCountComeFromTheSpec() {
    // given 30x20 RGB, 2 classes
    JobSpec spec = new JobSpec("rgb", new ModelSpec("cnn-fedavg", 30, 20, 3), List.of("a", "b"), 1, 1, 1.0, 1, 4,
        FOUR_CLASSES.optimizer(), 60, 1, "fedavg", 0.0, List.of());
    MultiLayerNetwork net = ModelZoo.build(spec);

    // when
    var out = net.output(Nd4j.rand(DataType.FLOAT, 2, 3, 20, 30));

    // then
    assertArrayEquals(new long[] {2, 2}, out.shape());
  }

  @Test
  void parametersRoundTripThroughFlatVector() {
    // given
    MultiLayerNetwork net = ModelZoo.build(FOUR_CLASSES);
    float[] values = new float[(int) net.numParams()];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 1e-6f - 0.5f;
    }

    // when
    Parameters.copyIn(net, values);
    float[] reuse = new float[values.length];
    float[] back = Parameters.copyOut(net, reuse);

    // then
    assertArrayEquals(values, back);
    assertEquals(reuse, back);
    assertArrayEquals(values, net.params().toFloatVector());
    assertEquals(values[values.length - 1], net.getLayer(5).getParam("b").getFloat(3));
  }

  @Test
  void copyOutMatchesNd4jView() {
    // given
    MultiLayerNetwork net = ModelZoo.build(FOUR_CLASSES);

    // when
    float[] out = Parameters.copyOut(net, new float[3]);

    // then
    assertArrayEquals(net.params().toFloatVector(), out);
  }

  @Test
  void copyInOfWrongLengthIsRefused() {
    // given
    MultiLayerNetwork net = ModelZoo.build(FOUR_CLASSES);

    // when
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Parameters.copyIn(net, new float[12]));

    // then
    assertEquals("model expects 1660292 parameters, got 12", e.getMessage());
  }
}

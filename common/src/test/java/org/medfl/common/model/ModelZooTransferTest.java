package org.medfl.common.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medfl.common.model.ModelZooArchitecturesTest.spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.JobSpecException;
import org.medfl.common.job.ModelSpec;
import org.medfl.common.job.PretrainedSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelZooTransferTest {

  @TempDir
  Path dir;

  private static JobSpec niid(PretrainedSpec pretrained) {
    return spec(new ModelSpec("cnn-niid", 16, 16, 1, 0.2, 1e-3, pretrained), 3);
  }

  private Path save(Network net, String name) throws IOException {
    Path file = dir.resolve(name);
    ModelSerializer.writeModel(net.dl4j(), file.toFile(), false);
    return file;
  }

  @Test
  void roundZeroModelStartsFromThePretrainedParameters() throws IOException {
    // given a trained-looking file, itself written by a job that froze layers
    Network source = ModelZoo.network(niid(new PretrainedSpec("elsewhere.zip", 3)));
    float[] values = new float[(int) source.numParams()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i % 97) * 1e-3f - 0.05f;
    }
    Parameters.copyIn(source, values);
    Path file = save(source, "pretrained.zip");

    // when
    float[] initial = ModelZoo.initialParameters(niid(new PretrainedSpec(file.toString(), 2)));

    // then
    assertArrayEquals(values, initial);
  }

  @Test
  void resnetSmallStartsFromAComputationGraphZip() throws IOException {
    // given
    JobSpec plain = spec(new ModelSpec("resnet-small", 64, 64, 3), 2);
    Network source = ModelZoo.network(plain.withSeed(99));
    float[] values = Parameters.copyOut(source, null);
    Path file = save(source, "resnet.zip");
    JobSpec job = spec(new ModelSpec("resnet-small", 64, 64, 3, 0, 0, new PretrainedSpec(file.toString(), 4)), 2);

    // when
    float[] initial = ModelZoo.initialParameters(job);

    // then
    assertArrayEquals(values, initial);
    assertFalse(Arrays.equals(Parameters.copyOut(ModelZoo.network(plain), null), initial));
  }

  @Test
  void fileOfAnotherArchitectureIsRefusedNamingTheFile() throws IOException {
    // given
    Path file = save(ModelZoo.network(spec(new ModelSpec("cnn-small", 16, 16, 1), 3)), "small.zip");

    // when
    var e = assertThrows(JobSpecException.class,
        () -> ModelZoo.initialParameters(niid(new PretrainedSpec(file.toString(), 0))));

    // then: cnn-small's 3x3x32 conv against cnn-niid's 5x5x6
    assertEquals("JOB.yaml: 'model.pretrained.file' " + file + " does not match model 'cnn-niid': layer 0 is "
        + "ConvolutionLayer with 320 parameters in the file but ConvolutionLayer with 156 parameters in the model",
        e.getMessage());
  }

  @Test
  void missingFileIsRefusedNamingIt() {
    // given
    Path file = dir.resolve("absent.zip");

    // when
    var e = assertThrows(JobSpecException.class,
        () -> ModelZoo.initialParameters(niid(new PretrainedSpec(file.toString(), 0))));

    // then
    assertEquals("JOB.yaml: 'model.pretrained.file' " + file + " is not a readable file", e.getMessage());
  }

  @Test
  void freezingMoreLayersThanTheModelHasIsRefusedAtSpecTime() {
    // when
    var e = assertThrows(JobSpecException.class, () -> niid(new PretrainedSpec("x.zip", 7)));

    // then
    assertEquals("JOB.yaml: 'model.pretrained.freeze_layers' must be below 7, the number of layers of model "
        + "'cnn-niid', got 7", e.getMessage());
  }

  @Test
  void freezingKeepsTheSeededInitialWeights() {
    // when
    float[] plain = Parameters.copyOut(ModelZoo.network(niid(null)), null);
    float[] frozen = Parameters.copyOut(ModelZoo.network(niid(new PretrainedSpec("x.zip", 5))), null);

    // then
    assertArrayEquals(plain, frozen);
  }

  @Test
  void frozenLayersDoNotChangeInTrainingWithAdamAndL2() {
    // given conv1, pool, conv2 frozen; dense layers trainable
    Network net = ModelZoo.network(niid(new PretrainedSpec("x.zip", 3)));
    List<INDArray> before = snapshot(net);

    // when
    fitRandomBatches(net, new long[] {4, 1, 16, 16}, 3);

    // then
    List<INDArray> after = snapshot(net);
    assertEquals(before.get(0), after.get(0), "conv1");
    assertEquals(before.get(2), after.get(2), "conv2");
    assertFalse(before.get(4).equals(after.get(4)), "dense 120 trains");
    assertFalse(before.get(6).equals(after.get(6)), "output trains");
  }

  @Test
  void frozenResnetStemKeepsWeightsAndBatchNormStatistics() {
    // given the stem (conv, BN, ReLU, pool) frozen
    Network net = ModelZoo.network(spec(new ModelSpec("resnet-small", 64, 64, 3, 0, 1e-4,
        new PretrainedSpec("x.zip", 4)), 2));
    List<INDArray> before = snapshot(net);

    // when
    fitRandomBatches(net, new long[] {2, 3, 64, 64}, 2);

    // then: BN's running mean and variance are parameters in DL4J; a frozen BN must keep them too
    List<INDArray> after = snapshot(net);
    assertEquals(before.get(0), after.get(0), "stem conv");
    assertEquals(before.get(1), after.get(1), "stem BN");
    assertFalse(before.get(4).equals(after.get(4)), "res1 conv trains");
    assertFalse(before.get(5).equals(after.get(5)), "res1 BN trains");
  }

  private static List<INDArray> snapshot(Network net) {
    return net.layers().stream().map(l -> l.numParams() == 0 ? Nd4j.empty() : l.params().dup()).toList();
  }

  private static void fitRandomBatches(Network net, long[] shape, int steps) {
    Nd4j.getRandom().setSeed(5);
    int classes = (int) net.output(Nd4j.rand(DataType.FLOAT, shape)).size(1);
    for (int i = 0; i < steps; i++) {
      INDArray labels = Nd4j.zeros(DataType.FLOAT, shape[0], classes);
      for (int r = 0; r < shape[0]; r++) {
        labels.putScalar(r, r % classes, 1f);
      }
      net.fit(Nd4j.rand(DataType.FLOAT, shape), labels);
    }
    assertTrue(Double.isFinite(net.score()));
  }
}

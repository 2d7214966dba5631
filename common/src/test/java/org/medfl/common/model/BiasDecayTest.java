package org.medfl.common.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.JobSpecException;
import org.medfl.common.job.ModelSpec;
import org.medfl.common.job.OptimizerSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code model.l2_biases}: weight decay of the biases, on top of {@code model.l2} on the weights. */
class BiasDecayTest {

  private static JobSpec spec(double l2Biases) {
    var model = new ModelSpec("cnn-niid", 28, 28, 1, 0, 0, null, ModelSpec.INIT_PYTORCH, l2Biases);
    List<String> labels = IntStream.range(0, 3).mapToObj(i -> "c" + i).toList();
    return new JobSpec("decay", model, labels, 1, 1, 1.0, 1, 4, new OptimizerSpec("sgd", 0.5), 60, 3, "fedavg", 0.0,
        List.of());
  }

  @Test
  void oneSgdStepShrinksEachBiasByLearningRateTimesDecayAndLeavesWeightsAlone() {
    // given two copies of the same network (PyTorch's initialisation, so the biases are not 0), one with bias decay
    // 0.2, SGD at lr 0.5, and one minibatch
    MultiLayerNetwork plain = ModelZoo.build(spec(0));
    MultiLayerNetwork decayed = ModelZoo.build(spec(0.2));
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 28, 28);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 3);
    for (int i = 0; i < 4; i++) {
      y.putScalar(i, i % 3, 1f);
    }
    var before = new java.util.HashMap<String, float[]>();
    decayed.paramTable().forEach((key, value) -> before.put(key, value.dup().data().asFloat()));

    // when
    plain.fit(x, y);
    decayed.fit(x, y);

    // then: b' = b - lr * (g + 0.2 * b), so the two differ by exactly lr * 0.2 * b in every bias, and not elsewhere
    for (String key : plain.paramTable().keySet()) {
      float[] p = plain.paramTable().get(key).dup().data().asFloat();
      float[] d = decayed.paramTable().get(key).dup().data().asFloat();
      if (key.endsWith("_W")) {
        assertArrayEquals(p, d, 0f, key);
      } else {
        float[] b0 = before.get(key);
        for (int i = 0; i < p.length; i++) {
          assertEquals(-0.5 * 0.2 * b0[i], d[i] - p[i], 1e-6, key + "[" + i + "]");
        }
        assertTrue(!java.util.Arrays.equals(p, d), key + " was not decayed");
      }
    }
  }

  @Test
  void negativeBiasDecayIsRefusedNamingTheKey() {
    var e = assertThrows(JobSpecException.class, () -> spec(-0.1));
    assertTrue(e.getMessage().contains("model.l2_biases"), e.getMessage());
  }

  @Test
  void jobYamlCarriesTheKeyAndDefaultsItToZero() {
    String yaml = "name: j\nmodel: {name: cnn-niid, l2: 0.00001, l2_biases: 0.00001}\nclasses: [a, b]\n";
    JobSpec parsed = JobSpec.parse(yaml);

    assertEquals(1e-5, parsed.model().l2Biases());
    assertEquals(parsed, JobSpec.parse(parsed.toYaml()));
    JobSpec without = JobSpec.parse("name: j\nmodel: {name: cnn-niid, l2: 0.001}\nclasses: [a, b]\n");
    assertEquals(0.0, without.model().l2Biases());
    assertEquals(without, JobSpec.parse(without.toYaml()));
  }
}

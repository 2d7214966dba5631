package org.medfl.client.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
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
import org.medfl.common.model.Parameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Class balance and augmentation as LocalTrainer applies them; the plain path is LocalTrainerTest's. */
class ClassBalanceTrainingTest {

  private static final JobSpec PLAIN = new JobSpec("balance-test", ModelSpec.of("cnn-fedavg"), DemoData.classes(),
      1, 1, 1.0, 1, 16, new OptimizerSpec("adam", 0.001), 60, 42, "fedavg", 0.2, List.of());

  private static LabeledImages data;

  @BeforeAll
  static void generate(@TempDir Path dir) {
    // site 0: mostly circles and squares
    DemoData.generate(dir, 0, 60, 28, 42);
    data = ImageFolderSource.load(dir, DemoData.classes(), 28, 28, 1).images();
  }

  private static JobSpec with(String classBalance, AugmentationSpec augmentation) {
    JobSpec p = PLAIN;
    return new JobSpec(p.name(), p.model(), p.classes(), p.rounds(), p.minSites(), p.fraction(), p.localEpochs(),
        p.batchSize(), p.optimizer(), p.roundDeadlineSeconds(), p.seed(), p.strategy(), p.validationFraction(),
        p.sites(), 0, classBalance, "middle", PreprocessingSpec.defaults(), augmentation, EvaluationSpec.defaults(),
        null, null, p.maxRoundAttempts());
  }

  private static float[] delta(JobSpec spec, int round) {
    float[] global = Parameters.copyOut(ModelZoo.build(PLAIN), null);
    return new LocalTrainer(spec, data).train(global, round, null).delta().clone();
  }

  @Test
  void classWeightsScaleScoreAndGradientByTheTrueClassWeight() {
    // given two images of class 1 and a weight of 3 on that class
    MultiLayerNetwork net = ModelZoo.build(PLAIN);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, 28, 28);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 4);
    y.putScalar(0, 1, 1f);
    y.putScalar(1, 1, 1f);
    double plainScore = net.score(new DataSet(x, y));
    INDArray plainGradient = gradient(net, x, y);

    // when
    ClassWeightedLoss.apply(net, new double[] {1, 3, 1, 1});

    // then
    assertEquals(3 * plainScore, net.score(new DataSet(x, y)), 1e-4 * plainScore);
    INDArray weighted = gradient(net, x, y);
    assertEquals(0, weighted.sub(plainGradient.mul(3)).norm2Number().doubleValue(),
        1e-4 * weighted.norm2Number().doubleValue());
  }

  private static INDArray gradient(MultiLayerNetwork net, INDArray x, INDArray y) {
    net.setInput(x);
    net.setLabels(y);
    net.computeGradientAndScore();
    return net.gradient().gradient().dup();
  }

  @Test
  void eachOptionChangesTheDeltaAndStaysDeterministic() {
    // given
    float[] plain = delta(PLAIN, 1);
    var augmentation = new AugmentationSpec(true, false, 10, 0.1, 0.1, 0.1, 0.1);

    // when
    float[] weights = delta(with("weights", AugmentationSpec.none()), 1);
    float[] oversample = delta(with("oversample", AugmentationSpec.none()), 1);
    float[] augmented = delta(with("none", augmentation), 1);

    // then
    assertFalse(Arrays.equals(plain, weights));
    assertFalse(Arrays.equals(plain, oversample));
    assertFalse(Arrays.equals(plain, augmented));
    assertArrayEquals(oversample, delta(with("oversample", AugmentationSpec.none()), 1));
    assertArrayEquals(augmented, delta(with("none", augmentation), 1));
    assertFalse(Arrays.equals(augmented, delta(with("none", augmentation), 2)));
  }

  @Test
  void defaultsTrainExactlyAsWithoutTheOptions() {
    // when the spec names the defaults explicitly
    float[] explicit = delta(with("none", AugmentationSpec.none()), 1);

    // then
    assertArrayEquals(delta(PLAIN, 1), explicit);
  }

  @Test
  void oversamplingStillCountsTheRealTrainingImages() {
    // given
    var trainer = new LocalTrainer(with("oversample", AugmentationSpec.none()), data);

    // when
    var result = trainer.train(Parameters.copyOut(ModelZoo.build(PLAIN), null), 1, null);

    // then
    assertEquals(trainer.trainSize(), result.numExamples());
  }
}

package org.medfl.client.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.data.DemoData;
import org.medfl.client.data.ImageFolderSource;
import org.medfl.client.data.LabeledImages;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.ModelSpec;
import org.medfl.common.job.OptimizerSpec;
import org.medfl.common.model.ModelZoo;
import org.medfl.common.model.Parameters;

class LocalTrainerTest {

  /** 300 balanced demo images, 2 local epochs of batch 16: measured 0.57 to 0.77 accuracy after 2 rounds
   * over seeds 1, 2, 3 and 42, so "> 0.4" (chance is 0.25) holds with a wide margin. */
  private static final JobSpec SPEC = new JobSpec("train-test", ModelSpec.of("cnn-fedavg"), DemoData.classes(),
      2, 1, 1.0, 2, 16, new OptimizerSpec("adam", 0.001), 60, 42, "fedavg", 0.2, List.of());

  private static LabeledImages data;

  @BeforeAll
  static void generate(@TempDir Path dir) {
    DemoData.generate(dir, 2, 300, 28, 42);
    data = ImageFolderSource.load(dir, DemoData.classes(), 28, 28, 1).images();
  }

  private static float[] initial(JobSpec spec) {
    return Parameters.copyOut(ModelZoo.build(spec), null);
  }

  @Test
  void twoRoundsLiftValidationAccuracyWellAboveChance() {
    // given
    var trainer = new LocalTrainer(SPEC, data);
    float[] global = initial(SPEC);

    // when: feed each round's delta back, as FedAvg with a single site would
    TrainResult last = null;
    for (int round = 1; round <= 2; round++) {
      last = trainer.train(global, round, null);
      for (int i = 0; i < global.length; i++) {
        global[i] += last.delta()[i];
      }
    }

    // then
    assertTrue(last.valAccuracy() > 0.4, "validation accuracy " + last.valAccuracy());
    assertEquals(last.valAccuracy(), trainer.evaluate(global), 0.03);
    assertTrue(last.trainLoss() < Math.log(4), "train loss " + last.trainLoss());
  }

  @Test
  void resultDescribesTheRound() {
    // given
    var trainer = new LocalTrainer(SPEC, data);
    var epochs = new ArrayList<Integer>();

    // when
    TrainResult result = trainer.train(initial(SPEC), 1, epochs::add);

    // then
    assertEquals(ModelZoo.parameterCount(SPEC), result.delta().length);
    assertEquals(240, result.numExamples());
    assertEquals(60, result.numValExamples());
    assertEquals(List.of(1, 2), epochs);
    assertTrue(result.seconds() > 0);
    assertTrue(Double.isFinite(result.trainLoss()));
  }

  @Test
  void sameInputsGiveTheSameDelta() {
    // given two trainers built independently from the same spec and data
    var a = new LocalTrainer(SPEC, data);
    var b = new LocalTrainer(SPEC, data);
    float[] global = initial(SPEC);

    // when
    float[] first = a.train(global, 3, null).delta().clone();
    float[] again = a.train(global, 3, null).delta().clone();
    float[] other = b.train(global, 3, null).delta().clone();

    // then: bit for bit, optimiser state included (oneDNN on this CPU is deterministic for these layers)
    assertArrayEquals(first, again);
    assertArrayEquals(first, other);
  }

  @Test
  void splitFollowsValidationFraction() {
    // when
    var trainer = new LocalTrainer(SPEC, data);

    // then
    assertEquals(240, trainer.trainSize());
    assertEquals(60, trainer.validationSize());
  }

  @Test
  void withoutValidationAccuracyIsNaN() {
    // given
    JobSpec noValidation = new JobSpec("nv", SPEC.model(), SPEC.classes(), 1, 1, 1.0, 1, 64, SPEC.optimizer(),
        60, 42, "fedavg", 0.0, List.of());
    var trainer = new LocalTrainer(noValidation, data);

    // when
    TrainResult result = trainer.train(initial(noValidation), 1, null);

    // then
    assertEquals(300, result.numExamples());
    assertTrue(Double.isNaN(result.valAccuracy()));
    assertTrue(Double.isNaN(trainer.evaluate(initial(noValidation))));
  }

  @Test
  void dataWithOtherClassesIsRefused() {
    // given
    JobSpec twoClasses = JobSpec.demo(List.of("normal", "pneumonia"));

    // when
    var e = assertThrows(IllegalArgumentException.class, () -> new LocalTrainer(twoClasses, data));

    // then
    assertEquals("data classes [circle, square, triangle, cross] differ from job 'demo' classes "
        + "[normal, pneumonia]", e.getMessage());
  }
}

package org.medfl.common.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JobSpecTest {

  private static final String MINIMAL = """
      name: demo-shapes
      model: {name: cnn-fedavg}
      classes: [circle, square, triangle, cross]
      """;

  @Test
  void defaultsAppliedToAbsentKeys() {
    // when
    JobSpec spec = JobSpec.parse(MINIMAL);

    // then
    assertEquals("demo-shapes", spec.name());
    assertEquals(new ModelSpec("cnn-fedavg", 28, 28, 1), spec.model());
    assertEquals(List.of("circle", "square", "triangle", "cross"), spec.classes());
    assertEquals(5, spec.rounds());
    assertEquals(2, spec.minSites());
    assertEquals(1.0, spec.fraction());
    assertEquals(1, spec.localEpochs());
    assertEquals(32, spec.batchSize());
    assertEquals(new OptimizerSpec("adam", 0.001), spec.optimizer());
    assertEquals(600, spec.roundDeadlineSeconds());
    assertEquals(42L, spec.seed());
    assertEquals("fedavg", spec.strategy());
    assertEquals(0.2, spec.validationFraction());
    assertEquals(List.of(), spec.sites());
  }

  @Test
  void everyKeyIsRead() {
    // given
    String yaml = """
        name: xray.v2
        model:
          name: cnn-fedavg
          input: {width: 64, height: 48, channels: 3}
        classes: [normal, pneumonia]
        rounds: 20
        min_sites: 3
        fraction: 0.5
        local_epochs: 2
        batch_size: 16
        optimizer: {name: nesterovs, learning_rate: 0.05}
        round_deadline_seconds: 1200
        seed: -7
        strategy: fedavg
        validation_fraction: 0.0
        sites: [hosp-a, hosp-b, hosp-c]
        """;

    // when
    JobSpec spec = JobSpec.parse(yaml);

    // then
    assertEquals(new JobSpec("xray.v2", new ModelSpec("cnn-fedavg", 64, 48, 3), List.of("normal", "pneumonia"),
        20, 3, 0.5, 2, 16, new OptimizerSpec("nesterovs", 0.05), 1200, -7, "fedavg", 0.0,
        List.of("hosp-a", "hosp-b", "hosp-c")), spec);
  }

  @Test
  void unknownKeyIsNamedWithTheKnownOnes() {
    // when
    var e = assertThrows(JobSpecException.class, () -> JobSpec.parse(MINIMAL + "epochz: 3\n"));

    // then
    assertEquals("JOB.yaml: unknown key 'epochz' (known: name, model, classes, rounds, min_sites, fraction, "
        + "local_epochs, batch_size, optimizer, round_deadline_seconds, seed, strategy, proximal_mu, "
        + "validation_fraction, sites, class_balance, frames, preprocessing, augmentation, evaluation, "
        + "secure_aggregation, dp, max_round_attempts, max_update_norm)", e.getMessage());
  }

  @Test
  void unknownNestedKeyIsNamedWithItsPath() {
    // when
    var e = assertThrows(JobSpecException.class, () -> JobSpec.parse("""
        name: demo
        model: {name: cnn-fedavg, input: {width: 28, hight: 28}}
        classes: [a, b]
        """));

    // then
    assertEquals("JOB.yaml: unknown key 'model.input.hight' (known: width, height, channels)", e.getMessage());
  }

  @Test
  void outOfRangeValueNamesKeyAndValue() {
    // when
    var e = assertThrows(JobSpecException.class, () -> JobSpec.parse(MINIMAL + "rounds: 0\n"));

    // then
    assertEquals("JOB.yaml: 'rounds' must be between 1 and 10000, got 0", e.getMessage());
  }

  @Test
  void unknownModelNamesTheChoices() {
    // when
    var e = assertThrows(JobSpecException.class,
        () -> JobSpec.parse("name: demo\nmodel: {name: resnet}\nclasses: [a, b]\n"));

    // then
    assertEquals("JOB.yaml: 'model.name' must be one of cnn-fedavg, cnn-small, cnn-niid, resnet-small, got 'resnet'", e.getMessage());
  }

  @Test
  void missingRequiredKeyIsNamed() {
    // when
    var e = assertThrows(JobSpecException.class,
        () -> JobSpec.parse("name: demo\nmodel: {name: cnn-fedavg}\n"));

    // then
    assertEquals("JOB.yaml: missing required key 'classes'", e.getMessage());
  }

  @Test
  void wrongTypeNamesKeyAndValue() {
    // when
    var e = assertThrows(JobSpecException.class, () -> JobSpec.parse(MINIMAL + "batch_size: lots\n"));

    // then
    assertEquals("JOB.yaml: 'batch_size' must be a whole number, got 'lots'", e.getMessage());
  }

  @Test
  void listWhereNumberBelongsNamesKey() {
    // when
    var e = assertThrows(JobSpecException.class, () -> JobSpec.parse(MINIMAL + "rounds: [1, 2]\n"));

    // then
    assertEquals("JOB.yaml: 'rounds' must be a whole number, got a list", e.getMessage());
  }

  @Test
  void fractionalCountIsRejectedNotTruncated() {
    // when
    var e = assertThrows(JobSpecException.class, () -> JobSpec.parse(MINIMAL + "local_epochs: 2.5\n"));

    // then
    assertEquals("JOB.yaml: 'local_epochs' must be a whole number, got '2.5'", e.getMessage());
  }

  @Test
  void duplicateClassIsNamed() {
    // when
    var e = assertThrows(JobSpecException.class,
        () -> JobSpec.parse("name: demo\nmodel: {name: cnn-fedavg}\nclasses: [a, b, a]\n"));

    // then
    assertEquals("JOB.yaml: 'classes' lists 'a' twice", e.getMessage());
  }

  @Test
  void brokenYamlGivesReasonAndLine() {
    // when
    var e = assertThrows(JobSpecException.class,
        () -> JobSpec.parse("name: demo\nmodel: {name: cnn-fedavg\nclasses: [a, b]\n"));

    // then
    assertEquals(true, e.getMessage().startsWith("JOB.yaml is not valid YAML: "), e.getMessage());
    assertEquals(true, e.getMessage().matches(".* at line \\d+"), e.getMessage());
    assertEquals(false, e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void duplicateKeyIsRefused() {
    // when
    var e = assertThrows(JobSpecException.class, () -> JobSpec.parse(MINIMAL + "rounds: 3\nrounds: 4\n"));

    // then
    assertEquals("JOB.yaml is not valid YAML: duplicate key 'rounds' at line 5", e.getMessage());
  }

  @Test
  void roundTripsThroughYaml() {
    // given
    var spec = new JobSpec("rt-1", new ModelSpec("cnn-fedavg", 32, 16, 3), List.of("yes", "1", "null", "a b"),
        7, 1, 0.25, 3, 8, new OptimizerSpec("sgd", 0.1), 30, Long.MIN_VALUE, "fedavg", 0.5, List.of("hosp-a"));

    // when
    JobSpec back = JobSpec.parse(spec.toYaml());

    // then
    assertEquals(spec, back);
  }

  @Test
  void demoUsesDefaults() {
    // when
    JobSpec demo = JobSpec.demo(List.of("a", "b"));

    // then
    assertEquals(JobSpec.parse("name: demo\nmodel: {name: cnn-fedavg}\nclasses: [a, b]\n"), demo);
  }

  @Test
  void everySectionRoundTrips() {
    // given
    String yaml = String.join("\n",
        "name: full",
        "model: {name: cnn-fedavg, input: {width: 32, height: 32, channels: 1}, dropout: 0.25, l2: 0.0001}",
        "classes: [normal, nodule]",
        "min_sites: 3",
        "strategy: fedprox",
        "proximal_mu: 0.01",
        "class_balance: weights",
        "frames: all",
        "preprocessing: {resize: pad, window: {center: -600, width: 1500}, normalize: zscore, mean: 0.5, std: 0.2}",
        "augmentation: {flip_horizontal: true, rotation_degrees: 10, shift: 0.1, zoom: 0.1, brightness: 0.1}",
        "evaluation: {every_rounds: 2}",
        "secure_aggregation: {threshold: 2}",
        "dp: {mode: distributed, clip: 1.0, noise_multiplier: 1.1, delta: 0.00001, max_epsilon: 8}",
        "");
    // when
    JobSpec spec = JobSpec.parse(yaml);
    // then
    assertEquals(spec, JobSpec.parse(spec.toYaml()));
    assertEquals(0.25, spec.model().dropout());
    assertEquals(-600.0, spec.preprocessing().window().center());
    assertEquals(2, spec.secureAggregation().threshold());
    assertEquals("distributed", spec.dp().mode());
  }

  @Test
  void maxUpdateNormIsReadAndRoundTrips() {
    // when
    JobSpec spec = JobSpec.parse(MINIMAL + "max_update_norm: 25.5\n");
    // then
    assertEquals(25.5, spec.maxUpdateNorm());
    assertEquals(spec, JobSpec.parse(spec.toYaml()));
    assertEquals(0.0, JobSpec.parse(MINIMAL).maxUpdateNorm());
  }

  @Test
  void weightInitDefaultsToHeAndPytorchRoundTrips() {
    // when
    JobSpec pytorch = JobSpec.parse("name: x\nmodel: {name: cnn-niid, weight_init: pytorch}\nclasses: [a, b]\n");
    // then
    assertEquals(ModelSpec.INIT_HE, JobSpec.parse(MINIMAL).model().weightInit());
    assertEquals(ModelSpec.INIT_PYTORCH, pytorch.model().weightInit());
    assertEquals(pytorch, JobSpec.parse(pytorch.toYaml()));
  }

  @Test
  void unknownWeightInitNamesKeyAndChoices() {
    // when
    var e = assertThrows(JobSpecException.class,
        () -> JobSpec.parse("name: x\nmodel: {name: cnn-niid, weight_init: xavier}\nclasses: [a, b]\n"));
    // then
    assertTrue(e.getMessage().contains("model.weight_init") && e.getMessage().contains("he or pytorch")
        && e.getMessage().contains("xavier"), e.getMessage());
  }

  @Test
  void negativeMaxUpdateNormIsRefusedNamingTheKey() {
    // when
    var e = assertThrows(JobSpecException.class, () -> JobSpec.parse(MINIMAL + "max_update_norm: -1\n"));
    // then
    assertTrue(e.getMessage().contains("max_update_norm"), e.getMessage());
  }

  @Test
  void fedproxNeedsAPositiveMu() {
    // when
    JobSpecException e = assertThrows(JobSpecException.class,
        () -> JobSpec.parse("name: x\nmodel: {name: cnn-fedavg}\nclasses: [a, b]\nstrategy: fedprox\n"));
    // then
    assertTrue(e.getMessage().contains("proximal_mu"), e.getMessage());
  }

  @Test
  void windowNeedsCenterAndWidth() {
    // when
    JobSpecException e = assertThrows(JobSpecException.class, () -> JobSpec.parse(
        "name: x\nmodel: {name: cnn-fedavg}\nclasses: [a, b]\npreprocessing: {window: {center: 40}}\n"));
    // then
    assertTrue(e.getMessage().contains("preprocessing.window"), e.getMessage());
  }
}

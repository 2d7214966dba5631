package org.medfl.common.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** Maps JOB.yaml to {@link JobSpec} and back, turning Jackson's errors into one sentence naming the key. */
final class JobSpecYaml {

  static final int DEFAULT_ROUNDS = 5;
  static final int DEFAULT_MIN_SITES = 2;
  static final double DEFAULT_FRACTION = 1.0;
  static final int DEFAULT_LOCAL_EPOCHS = 1;
  static final int DEFAULT_BATCH_SIZE = 32;
  static final int DEFAULT_ROUND_DEADLINE_SECONDS = 600;
  static final long DEFAULT_SEED = 42;
  static final String DEFAULT_STRATEGY = "fedavg";
  static final double DEFAULT_VALIDATION_FRACTION = 0.2;
  static final int DEFAULT_MAX_ROUND_ATTEMPTS = 3;

  private static final YAMLMapper MAPPER = YAMLMapper.builder(YAMLFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      // "rounds: 2.5" is a mistake, not a request for 2 rounds.
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .build();

  private JobSpecYaml() {}

  @JsonPropertyOrder({"name", "model", "classes", "rounds", "min_sites", "fraction", "local_epochs", "batch_size",
      "optimizer", "round_deadline_seconds", "seed", "strategy", "proximal_mu", "validation_fraction", "sites",
      "class_balance", "frames", "preprocessing", "augmentation", "evaluation", "secure_aggregation", "dp",
      "max_round_attempts", "max_update_norm"})
  record Doc(
      String name,
      ModelDoc model,
      List<String> classes,
      Integer rounds,
      @JsonProperty("min_sites") Integer minSites,
      Double fraction,
      @JsonProperty("local_epochs") Integer localEpochs,
      @JsonProperty("batch_size") Integer batchSize,
      OptimizerDoc optimizer,
      @JsonProperty("round_deadline_seconds") Integer roundDeadlineSeconds,
      Long seed,
      String strategy,
      @JsonProperty("proximal_mu") Double proximalMu,
      @JsonProperty("validation_fraction") Double validationFraction,
      List<String> sites,
      @JsonProperty("class_balance") String classBalance,
      String frames,
      PreprocessingDoc preprocessing,
      AugmentationDoc augmentation,
      EvaluationDoc evaluation,
      @JsonProperty("secure_aggregation") SecureAggregationDoc secureAggregation,
      DpDoc dp,
      @JsonProperty("max_round_attempts") Integer maxRoundAttempts,
      @JsonProperty("max_update_norm") Double maxUpdateNorm) {}

  @JsonPropertyOrder({"name", "input", "dropout", "l2", "l2_biases", "weight_init", "pretrained"})
  record ModelDoc(String name, InputDoc input, Double dropout, Double l2, @JsonProperty("l2_biases") Double l2Biases,
      @JsonProperty("weight_init") String weightInit, PretrainedDoc pretrained) {}

  @JsonPropertyOrder({"file", "freeze_layers"})
  record PretrainedDoc(String file, @JsonProperty("freeze_layers") Integer freezeLayers) {}

  @JsonPropertyOrder({"resize", "window", "normalize", "mean", "std"})
  record PreprocessingDoc(String resize, WindowDoc window, String normalize, Double mean, Double std) {}

  @JsonPropertyOrder({"center", "width", "from_dicom"})
  record WindowDoc(Double center, Double width, @JsonProperty("from_dicom") Boolean fromDicom) {}

  @JsonPropertyOrder({"flip_horizontal", "flip_vertical", "rotation_degrees", "shift", "zoom", "brightness",
      "contrast"})
  record AugmentationDoc(@JsonProperty("flip_horizontal") Boolean flipHorizontal,
      @JsonProperty("flip_vertical") Boolean flipVertical,
      @JsonProperty("rotation_degrees") Double rotationDegrees, Double shift, Double zoom, Double brightness,
      Double contrast) {}

  @JsonPropertyOrder({"every_rounds"})
  record EvaluationDoc(@JsonProperty("every_rounds") Integer everyRounds) {}

  @JsonPropertyOrder({"threshold"})
  record SecureAggregationDoc(Integer threshold) {}

  @JsonPropertyOrder({"mode", "clip", "noise_multiplier", "delta", "max_epsilon"})
  record DpDoc(String mode, Double clip, @JsonProperty("noise_multiplier") Double noiseMultiplier, Double delta,
      @JsonProperty("max_epsilon") Double maxEpsilon) {}

  @JsonPropertyOrder({"width", "height", "channels"})
  record InputDoc(Integer width, Integer height, Integer channels) {}

  @JsonPropertyOrder({"name", "learning_rate"})
  record OptimizerDoc(String name, @JsonProperty("learning_rate") Double learningRate) {}

  static JobSpec parse(String yaml) {
    if (yaml == null || yaml.isBlank()) {
      throw new JobSpecException("JOB.yaml is empty; it needs at least 'name', 'model' and 'classes'");
    }
    Doc doc;
    try {
      doc = MAPPER.readValue(yaml, Doc.class);
    } catch (JsonProcessingException e) {
      throw translate(e);
    }
    if (doc == null) {
      throw new JobSpecException("JOB.yaml is empty; it needs at least 'name', 'model' and 'classes'");
    }
    return toSpec(doc);
  }

  static String write(JobSpec spec) {
    var m = spec.model();
    var o = spec.optimizer();
    var p = spec.preprocessing();
    var w = p.window();
    var a = spec.augmentation();
    var doc = new Doc(spec.name(), new ModelDoc(m.name(), new InputDoc(m.width(), m.height(), m.channels()),
        m.dropout(), m.l2(), m.l2Biases() == 0 ? null : m.l2Biases(),
        m.weightInit().equals(ModelSpec.INIT_HE) ? null : m.weightInit(),
        m.pretrained() == null ? null
            : new PretrainedDoc(m.pretrained().file(), m.pretrained().freezeLayers())),
        spec.classes(), spec.rounds(), spec.minSites(), spec.fraction(), spec.localEpochs(), spec.batchSize(),
        new OptimizerDoc(o.name(), o.learningRate()), spec.roundDeadlineSeconds(), spec.seed(), spec.strategy(),
        spec.proximalMu(), spec.validationFraction(), spec.sites(), spec.classBalance(), spec.frames(),
        new PreprocessingDoc(p.resize(), w == null ? null
            : new WindowDoc(w.center(), w.width(), w.fromDicom() ? Boolean.TRUE : null), p.normalize(), p.mean(),
            p.std()),
        new AugmentationDoc(a.flipHorizontal(), a.flipVertical(), a.rotationDegrees(), a.shift(), a.zoom(),
            a.brightness(), a.contrast()),
        new EvaluationDoc(spec.evaluation().everyRounds()),
        spec.secureAggregation() == null ? null : new SecureAggregationDoc(spec.secureAggregation().threshold()),
        spec.dp() == null ? null : new DpDoc(spec.dp().mode(), spec.dp().clip(), spec.dp().noiseMultiplier(),
            spec.dp().delta(), spec.dp().maxEpsilon()),
        spec.maxRoundAttempts(), spec.maxUpdateNorm() == 0 ? null : spec.maxUpdateNorm());
    try {
      return MAPPER.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JOB.yaml for job '" + spec.name() + "'", e);
    }
  }

  static JobSpec withDefaults(String name, ModelSpec model, List<String> classes) {
    return new JobSpec(name, model, classes, DEFAULT_ROUNDS, DEFAULT_MIN_SITES, DEFAULT_FRACTION,
        DEFAULT_LOCAL_EPOCHS, DEFAULT_BATCH_SIZE, OptimizerSpec.defaults(), DEFAULT_ROUND_DEADLINE_SECONDS,
        DEFAULT_SEED, DEFAULT_STRATEGY, DEFAULT_VALIDATION_FRACTION, List.of());
  }

  private static JobSpec toSpec(Doc d) {
    if (d.name() == null) {
      throw JobSpec.missing("name");
    }
    if (d.model() == null) {
      throw JobSpec.missing("model");
    }
    if (d.model().name() == null) {
      throw JobSpec.missing("model.name");
    }
    if (d.classes() == null) {
      throw JobSpec.missing("classes");
    }
    InputDoc in = d.model().input() == null ? new InputDoc(null, null, null) : d.model().input();
    PretrainedSpec pretrained = null;
    if (d.model().pretrained() != null) {
      pretrained = new PretrainedSpec(d.model().pretrained().file(), or(d.model().pretrained().freezeLayers(), 0));
    }
    var model = new ModelSpec(d.model().name(), or(in.width(), ModelSpec.DEFAULT_SIZE),
        or(in.height(), ModelSpec.DEFAULT_SIZE), or(in.channels(), 1), or(d.model().dropout(), 0.0),
        or(d.model().l2(), 0.0), pretrained, or(d.model().weightInit(), ModelSpec.INIT_HE),
        or(d.model().l2Biases(), 0.0));
    OptimizerSpec optimizer = OptimizerSpec.defaults();
    if (d.optimizer() != null) {
      optimizer = new OptimizerSpec(or(d.optimizer().name(), optimizer.name()),
          or(d.optimizer().learningRate(), optimizer.learningRate()));
    }
    return new JobSpec(d.name(), model, d.classes(), or(d.rounds(), DEFAULT_ROUNDS),
        or(d.minSites(), DEFAULT_MIN_SITES), or(d.fraction(), DEFAULT_FRACTION),
        or(d.localEpochs(), DEFAULT_LOCAL_EPOCHS), or(d.batchSize(), DEFAULT_BATCH_SIZE), optimizer,
        or(d.roundDeadlineSeconds(), DEFAULT_ROUND_DEADLINE_SECONDS), or(d.seed(), DEFAULT_SEED),
        or(d.strategy(), DEFAULT_STRATEGY), or(d.validationFraction(), DEFAULT_VALIDATION_FRACTION),
        d.sites() == null ? List.of() : d.sites(), or(d.proximalMu(), 0.0), or(d.classBalance(), "none"),
        or(d.frames(), "middle"), preprocessing(d.preprocessing()), augmentation(d.augmentation()),
        d.evaluation() == null ? EvaluationSpec.defaults()
            : new EvaluationSpec(or(d.evaluation().everyRounds(), 1)),
        d.secureAggregation() == null ? null : new SecureAggregationSpec(
            required(d.secureAggregation().threshold(), "secure_aggregation.threshold")),
        dp(d.dp()), or(d.maxRoundAttempts(), DEFAULT_MAX_ROUND_ATTEMPTS), or(d.maxUpdateNorm(), 0.0));
  }

  private static PreprocessingSpec preprocessing(PreprocessingDoc p) {
    PreprocessingSpec defaults = PreprocessingSpec.defaults();
    if (p == null) {
      return defaults;
    }
    WindowSpec window = null;
    if (p.window() != null) {
      window = new WindowSpec(p.window().center(), p.window().width(), or(p.window().fromDicom(), false));
    }
    return new PreprocessingSpec(or(p.resize(), defaults.resize()), window, or(p.normalize(), defaults.normalize()),
        or(p.mean(), defaults.mean()), or(p.std(), defaults.std()));
  }

  private static AugmentationSpec augmentation(AugmentationDoc a) {
    if (a == null) {
      return AugmentationSpec.none();
    }
    return new AugmentationSpec(or(a.flipHorizontal(), false), or(a.flipVertical(), false),
        or(a.rotationDegrees(), 0.0), or(a.shift(), 0.0), or(a.zoom(), 0.0), or(a.brightness(), 0.0),
        or(a.contrast(), 0.0));
  }

  private static DpSpec dp(DpDoc d) {
    if (d == null) {
      return null;
    }
    return new DpSpec(or(d.mode(), "central"), required(d.clip(), "dp.clip"),
        required(d.noiseMultiplier(), "dp.noise_multiplier"), or(d.delta(), 1e-5),
        required(d.maxEpsilon(), "dp.max_epsilon"));
  }

  private static <T> T required(T value, String key) {
    if (value == null) {
      throw JobSpec.missing(key);
    }
    return value;
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }

  private static JobSpecException translate(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JsonParseException p) {
        return syntax(p);
      }
    }
    if (e instanceof UnrecognizedPropertyException u) {
      return new JobSpecException("JOB.yaml: unknown key '" + path(u) + "' (known: " + known(u) + ")");
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      String key = path(m);
      if (e.getCause() instanceof JsonProcessingException cause && cause.getMessage().contains("out of range")) {
        return JobSpecException.key(key, "is out of range");
      }
      if (m instanceof MismatchedInputException mi) {
        return JobSpecException.key(key, "must be " + expected(mi.getTargetType()) + ", got " + actual(mi));
      }
      return JobSpecException.key(key, "is invalid: " + firstLine(e.getOriginalMessage()));
    }
    if (e instanceof MismatchedInputException) {
      return new JobSpecException("JOB.yaml must be a mapping of keys such as 'name', 'model' and 'classes'");
    }
    return syntax(e);
  }

  private static JobSpecException syntax(JsonProcessingException e) {
    String reason = firstLine(e.getOriginalMessage());
    int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
    // SnakeYAML knows the exact problem and where it is; Jackson's own text repeats a context snippet.
    if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException y) {
      reason = y.getProblem() == null ? firstLine(y.getContext()) : y.getProblem();
      if (y.getProblemMark() != null) {
        line = y.getProblemMark().getLine() + 1;
      }
    }
    if (reason != null && reason.startsWith("Duplicate field ")) {
      reason = "duplicate key " + reason.substring("Duplicate field ".length()).replace('"', '\'');
    }
    return new JobSpecException("JOB.yaml is not valid YAML: " + reason + (line > 0 ? " at line " + line : ""));
  }

  private static String path(JsonMappingException e) {
    var sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "a different kind of value";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == String.class) {
      return "a text value";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "a mapping";
  }

  private static String actual(MismatchedInputException e) {
    if (e instanceof InvalidFormatException f && f.getValue() != null) {
      return "'" + f.getValue() + "'";
    }
    // The parser is closed by now, so the offending token is only named in Jackson's message.
    String message = String.valueOf(e.getOriginalMessage());
    if (message.contains(JsonToken.START_ARRAY.name())) {
      return "a list";
    }
    if (message.contains(JsonToken.START_OBJECT.name())) {
      return "a mapping";
    }
    if (message.contains("JsonToken.VALUE_") || message.contains("from String value")) {
      return "a single value";
    }
    return "a value of another kind";
  }

  private static String known(UnrecognizedPropertyException u) {
    // Jackson's own set is unordered; the document order reads better.
    JsonPropertyOrder order = u.getReferringClass() == null ? null
        : u.getReferringClass().getAnnotation(JsonPropertyOrder.class);
    if (order != null) {
      return String.join(", ", order.value());
    }
    return u.getKnownPropertyIds().stream().map(String::valueOf).collect(Collectors.joining(", "));
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable input";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }
}

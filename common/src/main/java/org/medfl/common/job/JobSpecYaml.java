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
      "optimizer", "round_deadline_seconds", "seed", "strategy", "validation_fraction", "sites"})
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
      @JsonProperty("validation_fraction") Double validationFraction,
      List<String> sites) {}

  @JsonPropertyOrder({"name", "input"})
  record ModelDoc(String name, InputDoc input) {}

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
    var doc = new Doc(spec.name(), new ModelDoc(m.name(), new InputDoc(m.width(), m.height(), m.channels())),
        spec.classes(), spec.rounds(), spec.minSites(), spec.fraction(), spec.localEpochs(), spec.batchSize(),
        new OptimizerDoc(o.name(), o.learningRate()), spec.roundDeadlineSeconds(), spec.seed(), spec.strategy(),
        spec.validationFraction(), spec.sites());
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
    var model = new ModelSpec(d.model().name(), or(in.width(), ModelSpec.DEFAULT_SIZE),
        or(in.height(), ModelSpec.DEFAULT_SIZE), or(in.channels(), 1));
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
        d.sites() == null ? List.of() : d.sites());
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

package org.medfl.client.privacy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What a hospital demands of every job before its site trains, read from {@code local/privacy.yaml} in the site's
 * kit (the part of the kit the hospital owns). Absent keys take the permissive default; absent file, every default.
 *
 * <pre>
 * require_secure_aggregation: true     # default false
 * require_dp: true                     # default false
 * min_noise_multiplier: 1.0            # default 0
 * max_clip: 1.0                        # default unlimited
 * budget: {epsilon: 10.0, delta: 1e-5} # default none (unlimited); delta defaults to 1e-5
 * </pre>
 *
 * @param requireSecureAggregation refuse jobs without secure aggregation
 * @param requireDp refuse jobs without differential privacy
 * @param minNoiseMultiplier the least noise multiplier a job may ask for, 0 or more; above 0 it also requires DP
 * @param maxClip the largest clip norm a job may ask for, positive; {@link Double#POSITIVE_INFINITY} when unlimited
 * @param budget the site's total (epsilon, delta) over all jobs, or null when unlimited
 */
public record PrivacyPolicy(boolean requireSecureAggregation, boolean requireDp, double minNoiseMultiplier,
    double maxClip, Budget budget) {

  /** Where the policy lives, relative to the kit directory. */
  public static final String FILE = "local/privacy.yaml";

  /** The default delta of a budget that names only epsilon; the same as a job's default {@code dp.delta}. */
  public static final double DEFAULT_DELTA = 1e-5;

  private static final PrivacyPolicy PERMISSIVE =
      new PrivacyPolicy(false, false, 0, Double.POSITIVE_INFINITY, null);

  private static final YAMLMapper MAPPER = YAMLMapper.builder(YAMLFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  /**
   * A cap on the privacy loss the site accepts over all jobs together.
   *
   * @param epsilon positive and finite
   * @param delta in (0, 1)
   */
  public record Budget(double epsilon, double delta) {
    public Budget {
      if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
        throw new IllegalArgumentException("'budget.epsilon' must be a positive number, got " + epsilon);
      }
      if (!(delta > 0 && delta < 1)) {
        throw new IllegalArgumentException("'budget.delta' must be between 0 and 1 (exclusive), got " + delta);
      }
    }
  }

  public PrivacyPolicy {
    if (!(minNoiseMultiplier >= 0) || Double.isInfinite(minNoiseMultiplier)) {
      throw new IllegalArgumentException("'min_noise_multiplier' must be 0 or a positive number, got "
          + minNoiseMultiplier);
    }
    if (!(maxClip > 0)) {
      throw new IllegalArgumentException("'max_clip' must be a positive number, got " + maxClip);
    }
  }

  /** The policy of a site without local/privacy.yaml: it accepts every job. */
  public static PrivacyPolicy permissive() {
    return PERMISSIVE;
  }

  /** True when this policy restricts nothing, as when local/privacy.yaml is absent. */
  public boolean isDefault() {
    return equals(PERMISSIVE);
  }

  /** Whether the site caps its total privacy loss. */
  public boolean hasBudget() {
    return budget != null;
  }

  /**
   * Reads {@code kitDir/local/privacy.yaml}; an absent or empty file gives {@link #permissive()}.
   *
   * @throws PrivacyPolicyException naming the file and the offending key, or the line of a YAML syntax error
   */
  public static PrivacyPolicy load(Path kitDir) {
    Path file = kitDir.resolve(FILE);
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (NoSuchFileException e) {
      return PERMISSIVE;
    } catch (IOException e) {
      throw new PrivacyPolicyException(file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(yaml, file.toString());
  }

  /** Parses a privacy.yaml document; {@code source} names it in error messages. */
  static PrivacyPolicy parse(String yaml, String source) {
    if (yaml.isBlank()) {
      return PERMISSIVE;
    }
    Doc doc;
    try {
      // Read the tree first: a file of only comments is an empty policy, which readValue would call an error.
      JsonNode tree = MAPPER.readTree(yaml);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        return PERMISSIVE;
      }
      doc = MAPPER.treeToValue(tree, Doc.class);
    } catch (JsonProcessingException e) {
      throw translate(e, source);
    }
    try {
      Budget budget = null;
      if (doc.budget() != null) {
        if (doc.budget().epsilon() == null) {
          throw new IllegalArgumentException("'budget.epsilon' is missing; a budget needs an epsilon");
        }
        budget = new Budget(doc.budget().epsilon(),
            doc.budget().delta() == null ? DEFAULT_DELTA : doc.budget().delta());
      }
      return new PrivacyPolicy(or(doc.requireSecureAggregation(), false), or(doc.requireDp(), false),
          or(doc.minNoiseMultiplier(), 0.0), or(doc.maxClip(), Double.POSITIVE_INFINITY), budget);
    } catch (IllegalArgumentException e) {
      throw new PrivacyPolicyException(source + ": " + e.getMessage(), e);
    }
  }

  @JsonPropertyOrder({"require_secure_aggregation", "require_dp", "min_noise_multiplier", "max_clip", "budget"})
  record Doc(
      @JsonProperty("require_secure_aggregation") Boolean requireSecureAggregation,
      @JsonProperty("require_dp") Boolean requireDp,
      @JsonProperty("min_noise_multiplier") Double minNoiseMultiplier,
      @JsonProperty("max_clip") Double maxClip,
      BudgetDoc budget) {}

  @JsonPropertyOrder({"epsilon", "delta"})
  record BudgetDoc(Double epsilon, Double delta) {}

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }

  private static PrivacyPolicyException translate(JsonProcessingException e, String source) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JsonParseException p) {
        int line = p.getLocation() == null ? -1 : p.getLocation().getLineNr();
        return new PrivacyPolicyException(source + " is not valid YAML: " + firstLine(p.getOriginalMessage())
            + (line > 0 ? " at line " + line : ""), e);
      }
    }
    if (e instanceof UnrecognizedPropertyException u) {
      JsonPropertyOrder order = u.getReferringClass().getAnnotation(JsonPropertyOrder.class);
      return new PrivacyPolicyException(source + ": unknown key '" + path(u) + "' (known: "
          + String.join(", ", order.value()) + ")", e);
    }
    if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
      Class<?> type = m.getTargetType();
      String expected = type == Boolean.class ? "true or false"
          : type == Double.class ? "a number" : "a mapping";
      String got = m instanceof InvalidFormatException f && f.getValue() != null ? ", got '" + f.getValue() + "'" : "";
      return new PrivacyPolicyException(source + ": '" + path(m) + "' must be " + expected + got, e);
    }
    return new PrivacyPolicyException(source + " must be a mapping of keys such as 'require_dp' and 'budget'", e);
  }

  private static String path(JsonMappingException e) {
    var sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
      }
    }
    return sb.toString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable input";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }
}

package org.medfl.deploy.cli;

import java.io.PrintWriter;
import java.util.List;
import org.medfl.proto.v1.Metrics;
import org.medfl.proto.v1.RoundSummary;
import org.medfl.proto.v1.SiteMetrics;

/** Prints federated evaluation: one row per site and one for all sites, with the clinically read metrics. */
public final class MetricsTable {
  private MetricsTable() {}

  /** The latest round that was evaluated, or null. */
  public static RoundSummary latestEvaluated(List<RoundSummary> rounds) {
    for (int i = rounds.size() - 1; i >= 0; i--) {
      if (rounds.get(i).hasEvaluation()) {
        return rounds.get(i);
      }
    }
    return null;
  }

  /** Per-site and overall metrics of {@code round}'s global model on the sites' held-out splits. */
  public static void print(RoundSummary round, List<String> classes, PrintWriter out) {
    if (round.getEvaluation().getExamples() == 0) {
      // A table of NaN would look like a broken model; the cause is the job holding nothing out.
      out.printf("global model after round %d: no federated evaluation, because no site held out any images "
          + "(validation_fraction 0)%n", round.getRound());
      out.flush();
      return;
    }
    out.printf("global model after round %d on each site's held-out images (federated evaluation):%n", round.getRound());
    out.printf("  %-14s %8s %9s %12s %12s %9s %7s%n", "site", "images", "accuracy", "sensitivity", "specificity",
        "F1", "AUC");
    for (SiteMetrics site : round.getSiteEvaluationsList()) {
      row(site.getSite(), site.getMetrics(), out);
    }
    row("all sites", round.getEvaluation(), out);
    out.println("  (sensitivity, specificity and F1 are macro averages over the classes; AUC is "
        + (classes.size() == 2 ? "binary" : "one-vs-rest macro") + ")");
    Metrics all = round.getEvaluation();
    int k = all.getClasses();
    if (k > 0 && all.getConfusionCount() == k * k && k <= 12) {
      out.println("  confusion matrix, all sites (rows: true class, columns: predicted):");
      StringBuilder header = new StringBuilder(String.format("  %-12s", ""));
      for (int c = 0; c < k; c++) {
        header.append(String.format(" %10s", abbreviate(classes, c)));
      }
      out.println(header);
      for (int r = 0; r < k; r++) {
        StringBuilder line = new StringBuilder(String.format("  %-12s", abbreviate(classes, r)));
        for (int c = 0; c < k; c++) {
          line.append(String.format(" %10d", all.getConfusion(r * k + c)));
        }
        out.println(line);
      }
    }
    out.flush();
  }

  private static void row(String name, Metrics m, PrintWriter out) {
    out.printf("  %-14s %8d %9.4f %12.4f %12.4f %9.4f %7.4f%n", name, m.getExamples(), m.getAccuracy(),
        m.getMacroRecall(), m.getMacroSpecificity(), m.getMacroF1(), m.getAuc());
  }

  private static String abbreviate(List<String> classes, int c) {
    String name = c < classes.size() ? classes.get(c) : Integer.toString(c);
    return name.length() > 10 ? name.substring(0, 10) : name;
  }
}

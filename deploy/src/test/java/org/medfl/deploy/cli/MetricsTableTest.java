package org.medfl.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfl.proto.v1.Metrics;
import org.medfl.proto.v1.RoundSummary;
import org.medfl.proto.v1.SiteMetrics;

class MetricsTableTest {

  @Test
  void roundWithoutHeldOutImagesSaysWhyInsteadOfPrintingNaN() {
    // Prepare: what the coordinator pools when every site held out nothing
    Metrics empty = Metrics.newBuilder().setExamples(0).setAccuracy(Double.NaN).setAuc(Double.NaN).setClasses(2)
        .addAllConfusion(List.of(0L, 0L, 0L, 0L)).build();
    // Execute
    String printed = print(oneSiteRound(3, empty));

    // Assert
    assertTrue(printed.contains("after round 3: no federated evaluation"), printed);
    assertTrue(printed.contains("validation_fraction 0"), printed);
    assertFalse(printed.contains("NaN"), printed);
  }

  @Test
  void evaluatedRoundPrintsEverySiteTheTotalAndTheConfusionMatrix() {
    // Prepare: one site, 3 normal (2 right) and 1 nodule (right)
    Metrics site = Metrics.newBuilder().setExamples(4).setAccuracy(0.75).setMacroRecall(0.8333)
        .setMacroSpecificity(0.8333).setMacroF1(0.7333).setAuc(0.9).setClasses(2)
        .addAllConfusion(List.of(2L, 1L, 0L, 1L)).build();
    // Execute
    String printed = print(oneSiteRound(5, site));

    // Assert
    assertTrue(printed.contains("after round 5 on each site's held-out images"), printed);
    assertTrue(printed.matches("(?s).*hospital-1\\s+4\\s+0\\.7500\\s+0\\.8333.*"), printed);
    assertTrue(printed.matches("(?s).*all sites\\s+4\\s+0\\.7500.*"), printed);
    assertTrue(printed.matches("(?s).*\\n\\s+normal\\s+2\\s+1\\n.*"), printed);
    assertTrue(printed.contains("AUC is binary"), printed);
  }

  /** A round evaluated at hospital-1 alone, so the site's metrics are also the pooled ones. */
  private static RoundSummary oneSiteRound(int number, Metrics metrics) {
    return RoundSummary.newBuilder().setRound(number).setEvaluation(metrics)
        .addSiteEvaluations(SiteMetrics.newBuilder().setSite("hospital-1").setMetrics(metrics)).build();
  }

  private static String print(RoundSummary round) {
    StringWriter text = new StringWriter();
    MetricsTable.print(round, List.of("normal", "nodule"), new PrintWriter(text));
    return text.toString();
  }
}

package org.medfl.client.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivacyBudgetTest {
  @TempDir Path state;

  @Test
  void recordsSurviveReopening() {
    // given
    var budget = PrivacyBudget.open(state);
    budget.record("job-a", 1.5, 1e-5);
    budget.record("job-b", 2.25, 1e-6);

    // when
    var reopened = PrivacyBudget.open(state);

    // then
    assertEquals(1.5, reopened.spentBy("job-a"));
    assertEquals(2.25, reopened.spentBy("job-b"));
    assertEquals(1e-6, reopened.deltaOf("job-b"));
    assertEquals(3.75, reopened.spent(), 1e-12);
    assertEquals(1.1e-5, reopened.spentDelta(), 1e-18);
  }

  @Test
  void spentIsTheSumOverJobs() {
    // given
    var budget = PrivacyBudget.open(state);

    // when
    budget.record("a", 1.0, 1e-6);
    budget.record("b", 2.0, 1e-6);
    budget.record("a", 3.0);

    // then: basic composition, a at 3.0 and b at 2.0
    assertEquals(5.0, budget.spent(), 1e-12);
  }

  @Test
  void aJobsEpsilonOnlyGrows() {
    // given
    var budget = PrivacyBudget.open(state);
    budget.record("a", 4.0, 1e-5);

    // when: a late or replayed report of a smaller value
    budget.record("a", 2.0);

    // then
    assertEquals(4.0, PrivacyBudget.open(state).spentBy("a"));
  }

  @Test
  void remainingIsWhatThePolicyLeaves() {
    // given
    var budget = PrivacyBudget.open(state);
    budget.record("a", 3.5, 1e-6);
    var capped = new PrivacyPolicy(false, false, 0, Double.POSITIVE_INFINITY, new PrivacyPolicy.Budget(10, 1e-5));

    // when
    double left = budget.remaining(capped);
    double unlimited = budget.remaining(PrivacyPolicy.permissive());

    // then
    assertEquals(6.5, left, 1e-12);
    assertEquals(Double.POSITIVE_INFINITY, unlimited);
  }

  @Test
  void newJobNeedsItsDelta() {
    // given
    var budget = PrivacyBudget.open(state);

    // when / then
    assertThrows(IllegalStateException.class, () -> budget.record("new", 1.0));
  }

  @Test
  void corruptFileIsAnErrorNotAnEmptyBudget() throws IOException {
    // given
    Files.writeString(state.resolve(PrivacyBudget.FILE), "{\"version\": 1, \"jobs\": {\"a\": {\"epsilon\": ");

    // when
    var e = assertThrows(IllegalStateException.class, () -> PrivacyBudget.open(state));

    // then
    assertTrue(e.getMessage().startsWith(state.resolve(PrivacyBudget.FILE) + " is not valid JSON"), e.getMessage());
  }
}

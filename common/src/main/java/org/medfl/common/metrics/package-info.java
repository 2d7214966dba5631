/**
 * Classification metrics as pure functions: confusion matrices that add up across sites, per-class and macro
 * precision, recall, specificity and F1, exact ROC AUC, and their combination over sites.
 */
package org.medfl.common.metrics;

/** Picocli commands of fl, grouped by audience, with one error handler and one table of exit codes. */
package org.medfl.deploy.cli;

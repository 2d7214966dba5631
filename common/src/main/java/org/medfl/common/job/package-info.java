/** What a federated job asks for (model, classes, rounds, optimiser), read from and written to JOB.yaml. */
package org.medfl.common.job;

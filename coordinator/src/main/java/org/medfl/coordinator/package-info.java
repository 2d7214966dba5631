/** The coordinator: gRPC server wiring for fleet, admin and audit services over the job registry. */
package org.medfl.coordinator;

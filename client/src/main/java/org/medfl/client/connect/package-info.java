/** The site's connection to the coordinator: a stub wrapper and reconnect backoff. */
package org.medfl.client.connect;

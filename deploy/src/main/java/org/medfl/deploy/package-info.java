/** The fl command's entry point and distribution. */
package org.medfl.deploy;

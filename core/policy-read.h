/*
 * policy-read.h: the typed readers of policy files, shared by policy.c (the
 * launch and warning sections) and policy-signals.c (calls, pages, signal
 * weights). Internal to core/; each reports its mistakes at the node and
 * leaves *out alone then.
 */
#ifndef RDGUARD_POLICY_READ_H
#define RDGUARD_POLICY_READ_H

#include "core/policy.h"
#include "core/yamldoc.h"

/* Reads one policy file's tree over p (policy.c). */
void policy_read_doc(const struct yd_doc *doc, const struct catalog *c,
    struct policy *p, struct diag *d);

/*
 * The value under key; a missing key is an error unless the policy so far
 * already has the value (have), as a drop-in may change only a part.
 */
const struct yd_node *policy_require_unless(const struct yd_doc *doc,
    const struct yd_node *map, const char *key, bool have, struct diag *d);

/* A value left empty (every line under it commented out): not given. */
bool policy_node_empty(const struct yd_node *n);

/* Refuses a list or a mapping where one value is wanted. */
int policy_want_scalar(
    const struct yd_doc *doc, const struct yd_node *n, struct diag *d);

/*
 * Whether n is a section to read: given, not empty, and a mapping of the
 * keys allowed (each unknown key is reported, the rest still read).
 */
bool policy_section(const struct yd_doc *doc, const struct yd_node *n,
    const char *const *keys, struct diag *d);

/* A risk, a weight or a threshold: a whole number from 0 to 100. */
void policy_read_risk(const struct yd_doc *doc, const struct yd_node *n,
    int *out, struct diag *d);

/* A duration within [min, max] seconds. */
void policy_read_duration_in(const struct yd_doc *doc, const struct yd_node *n,
    long long min, long long max, long long *out, struct diag *d);

/* A scalar from the list names, stored as its index. */
void policy_read_choice(const struct yd_doc *doc, const struct yd_node *n,
    const char *const *names, int *out, struct diag *d);

/* Replaces *out with the text at n. */
void policy_read_text(const struct yd_doc *doc, const struct yd_node *n,
    char **out, struct diag *d);

/* Whether the catalog (when there is one) has the tool named at key. */
bool policy_tool_known(const struct yd_doc *doc, const struct yd_node *key,
    const struct catalog *c, struct diag *d);

/* policy-signals.c: risk.signals and risk.mitigations. */
void policy_read_signal_risks(const struct yd_doc *doc,
    const struct yd_node *risk, struct policy *p, struct diag *d);

/* policy-signals.c: the sections signals, pages, calls and sanctioned. */
void policy_read_signals(const struct yd_doc *doc, const struct yd_node *root,
    const struct catalog *c, struct policy *p, struct diag *d);

/* policy-signals.c */
void policy_signal_defaults(struct policy *p);
void policy_free_signals(struct policy *p);

/* policy-updates.c: the section updates. */
void policy_read_updates(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d);
void policy_updates_defaults(struct policy *p);
void policy_free_updates(struct policy *p);

/* serial: and expires: of a signed policy (policy.c; core/bundle.c). */
void policy_read_bundle_keys(const struct yd_doc *doc,
    const struct yd_node *root, struct policy *p, struct diag *d);
/* policy-log.c: the section log. */
void policy_read_log(const struct yd_doc *doc, const struct yd_node *n,
    struct log_settings *out, struct diag *d);

#endif

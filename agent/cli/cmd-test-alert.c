/*
 * cmd-test-alert.c: rdguard test-alert: a sample warning on every desktop
 * and a sample message to the caregiver's webhook, so that the person
 * setting rdguard up sees both work (administrators).
 */
#include <stdio.h>

#include "agent/cli/cli.h"
#include "agent/cli/client.h"
#include "agent/cli/show.h"

static int
test_alert_exec(const struct cli_options *o, int argc, char **argv)
{
	json_t *request, *reply, *alerts;
	long long shown;
	int rc;

	if (argc != 1)
		return cli_usage(&cmd_test_alert);
	request = json_pack("{s:s}", "verb", "test-alert");
	rc = client_call(o, request, &reply);
	json_decref(request);
	if (rc == CLI_OK) {
		alerts = json_object_get(reply, "alerts");
		shown = json_integer_value(json_object_get(reply, "notifiers"));
		if (shown > 0)
			show_line_n(TXT_CLI_TEST_ALERT_SHOWN,
			    (unsigned long)shown, NULL);
		else
			show_line(TXT_CLI_TEST_ALERT_NO_DESKTOP, NULL);
		if (json_is_string(json_object_get(alerts, "webhook")))
			show_line(TXT_CLI_TEST_ALERT_WEBHOOK, "url",
			    show_str(alerts, "webhook"), NULL);
		else
			show_line(TXT_CLI_TEST_ALERT_NO_WEBHOOK, NULL);
	}
	json_decref(reply);
	return rc;
}

const struct cli_verb cmd_test_alert = {
	.name = "test-alert",
	.usage = "",
	.summary = TXT_CLI_TEST_ALERT_SUMMARY,
	.exec = test_alert_exec,
};

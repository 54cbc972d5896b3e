/*
 * json_baseline.c: the baseline of the `rdguard policy test` benchmark:
 * reads a trace line by line and parses each line with jansson, and does
 * nothing else. `rdg_json_baseline < trace.jsonl` prints how many lines it
 * parsed. What it costs is what reading the trace with a common JSON
 * library costs, on this machine, now.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int
main(void)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned long long parsed = 0;

	while (getline(&line, &cap, stdin) > 0) {
		json_t *j = json_loads(line, JSON_DISABLE_EOF_CHECK, NULL);

		if (j != NULL)
			parsed++;
		json_decref(j);
	}
	free(line);
	printf("%llu\n", parsed);
	return 0;
}

/*
 * ami.h: the framing of the Asterisk Manager Interface (TCP port 5038).
 *
 * After a one-line banner ("Asterisk Call Manager/7.0.3"), both sides send
 * messages: "Key: Value" lines, each ended by "\r\n", and a blank line
 * ending the message. The reader here takes lines (from a line_reader) and
 * gives whole messages. Everything is bounded: a line by the line reader,
 * a message by AMI_FIELDS_MAX lines and AMI_MESSAGE_MAX bytes. A message
 * that breaks a bound or has a line that is not "Key: Value" is reported
 * once and skipped up to its blank line; the next one is read as usual.
 */
#ifndef RDGUARD_AMI_H
#define RDGUARD_AMI_H

#include <stdbool.h>
#include <stddef.h>

#define AMI_LINE_MAX    1024
#define AMI_FIELDS_MAX  64
#define AMI_MESSAGE_MAX (16 * 1024)

struct ami_field {
	const char *key;   /* as sent; compared without case */
	const char *value; /* without the blanks after the colon */
};

struct ami_message {
	struct ami_field fields[AMI_FIELDS_MAX];
	size_t count;
	char text[AMI_MESSAGE_MAX]; /* the keys and values, NUL-terminated */
	size_t used;
};

struct ami_reader {
	struct ami_message message;
	bool skipping;   /* the message in hand was bad: wait for its end */
	bool handed_out; /* message is the one returned last */
};

enum ami_status {
	AMI_MORE,      /* give the next line */
	AMI_MESSAGE,   /* *message is whole */
	AMI_MALFORMED, /* why says what is wrong; that message is skipped */
};

void ami_reader_init(struct ami_reader *r);

/*
 * Takes one line, without its end. A message returned stays valid until
 * the next call. On AMI_MALFORMED, why (why_size bytes) says what is wrong.
 */
enum ami_status ami_reader_line(struct ami_reader *r, const char *line,
    size_t len, const struct ami_message **message, char *why, size_t why_size);

/* Drops the message being read, up to its blank line (a line of it was
 * lost, too long to read). */
void ami_reader_skip_message(struct ami_reader *r);

/* The value of the first field called key (any case), or NULL. */
const char *ami_get(const struct ami_message *m, const char *key);

#endif

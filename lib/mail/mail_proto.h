/* SPDX-License-Identifier: MIT
 * mail_proto - names of the ipc protocols on the mail path and of their
 * attributes, shared by smtpd, qmgr, local and the local submission path.
 *
 * The protocols themselves (requests, replies, order, errors) are
 * specified in docs/queue.md; this header only makes the spelling a
 * compile-time fact. Status values follow SMTP's classes: 0 ok, 4 try
 * again later, 5 permanent failure.
 */
#ifndef PETREL_MAIL_MAIL_PROTO_H
#define PETREL_MAIL_MAIL_PROTO_H

/* Service sockets, relative to queue_directory. */
#define MAIL_QMGR_SOCKET "private/qmgr"
#define MAIL_LOCAL_SOCKET "private/local"

#define MAIL_STATUS_OK 0
#define MAIL_STATUS_TEMP 4
#define MAIL_STATUS_PERM 5

/* qmgr-submit, version 1: smtpd and local submission -> qmgr */
#define SUBMIT_PROTOCOL "qmgr-submit"
#define SUBMIT_VERSION 1
#define SUBMIT_REQ_BEGIN "begin"
#define SUBMIT_REQ_RCPT "rcpt"
#define SUBMIT_REQ_DATA "data"
#define SUBMIT_REQ_END "end"
#define SUBMIT_REQ_ABORT "abort"
#define SUBMIT_DATA_MAX 65536

/* local-deliver, version 1: qmgr -> local */
#define DELIVER_PROTOCOL "local-deliver"
#define DELIVER_VERSION 1
#define DELIVER_REQ_DELIVER "deliver"
/* The most recipients one deliver request may carry: local refuses more,
 * qmgr sends the rest in a later request. */
#define DELIVER_RCPT_MAX 1000

/* Attribute names (both protocols). */
#define MA_REQUEST "request"
#define MA_STATUS "status"
#define MA_DSN "dsn"
#define MA_REASON "reason"
#define MA_QUEUE_ID "queue_id"
#define MA_SENDER "sender"
#define MA_CLIENT_ADDR "client_addr"
#define MA_CLIENT_NAME "client_name"
#define MA_HELO "helo"
#define MA_PROTOCOL "protocol"
/* begin: "TLSv1.3 with cipher NAME (256/256 bits)" for a TLS session */
#define MA_TLS "tls"
/* begin: the SASL login of an authenticated session */
#define MA_AUTH "auth"
#define MA_ENVID "envid"
#define MA_RET "ret"
#define MA_SMTPUTF8 "smtputf8"
#define MA_SIZE "size"
/* begin: the submitting user's uid; present only for local submission */
#define MA_UID "uid"
#define MA_ADDRESS "address"
#define MA_ORCPT "orcpt"
#define MA_NOTIFY "notify"
#define MA_DATA "data"
#define MA_QUEUE_FILE "queue_file"
#define MA_OFFSET "offset"
#define MA_LENGTH "length"
#define MA_RCPT "rcpt"
#define MA_MAILBOX "mailbox"
#define MA_QUOTA "quota"
#define MA_ORIG_RCPT "orig_rcpt"
#define MA_RCPT_STATUS "rcpt_status"
#define MA_RCPT_DSN "rcpt_dsn"
#define MA_RCPT_REASON "rcpt_reason"

#endif

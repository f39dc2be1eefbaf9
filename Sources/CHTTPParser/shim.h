// http-parser 2.9 (nodejs/http-parser). Its errno accessor is a function-like macro.
#ifndef REPRISE_CHTTPPARSER_SHIM_H
#define REPRISE_CHTTPPARSER_SHIM_H
#include <http_parser.h>

static inline enum http_errno chttp_parser_errno(const http_parser *p) { return HTTP_PARSER_ERRNO(p); }
static inline unsigned int chttp_parser_upgrade(const http_parser *p) { return p->upgrade; }
static inline unsigned int chttp_parser_method(const http_parser *p) { return p->method; }
static inline unsigned int chttp_parser_status(const http_parser *p) { return p->status_code; }
static inline void chttp_parser_set_data(http_parser *p, void *data) { p->data = data; }
static inline void *chttp_parser_get_data(const http_parser *p) { return p->data; }
#endif

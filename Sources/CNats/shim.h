// nats.c 3.4 (Debian libnats-dev): the client and its JetStream API. None of the functions used are
// variadic, so they import into Swift as they are.
#include <nats/nats.h>

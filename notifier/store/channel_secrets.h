// The secret fields of webhook channels, sealed at rest (docs/SECURITY.md, "Encryption at
// rest"): a channel's `url` and `secret` (HMAC key, Slack or Telegram bot token) are replaced by
// crypto::SecretBox values wherever a channel is written to Redis — the subscription record,
// queued delivery and digest jobs, and so dead letters, which copy the job's channel. The
// other fields (format, chat id, template) stay readable.
//
// Every function takes the notifier's key ring, or nullptr when no --secrets_key_file is
// configured: then nothing is sealed, and a sealed field read back is an error saying so.
// Plaintext fields (records written before a key was configured) read back as they are.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/crypto/secret_box.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

// Seals the channel's non-empty url and secret in place (no-op without `secrets`). Callers
// seal plaintext only: ValidateSubscription refuses values that look sealed.
absl::Status SealChannelSecrets(const crypto::SecretBox* secrets,
                                summit_alerts::v1::WebhookChannel& channel);
// Opens sealed url and secret in place; plaintext fields are kept. FailedPrecondition naming
// the key id when the ring lacks it (or when there is no ring), DataLoss when authentication
// fails; the message names the field.
absl::Status OpenChannelSecrets(const crypto::SecretBox* secrets,
                                summit_alerts::v1::WebhookChannel& channel);
// The serialized channel as it may be stored in Redis (a delivery or digest job).
absl::StatusOr<std::string> SealedChannelBytes(const crypto::SecretBox* secrets,
                                               const summit_alerts::v1::WebhookChannel& channel);

// The same for every webhook channel of a subscription.
absl::Status SealSubscriptionSecrets(const crypto::SecretBox* secrets,
                                     summit_alerts::v1::Subscription& sub);
absl::Status OpenSubscriptionSecrets(const crypto::SecretBox* secrets,
                                     summit_alerts::v1::Subscription& sub);
// Whether a stored subscription has a secret field that is plaintext or sealed with a key
// other than the ring's current one (what re-encryption rewrites).
bool NeedsResealing(const crypto::SecretBox& secrets, const summit_alerts::v1::Subscription& sub);

// For views of a channel whose secrets could not be opened: each sealed field cut to its
// header, "sa-enc:v1:<key id>:…", so a listing shows which key it needs and nothing else.
summit_alerts::v1::WebhookChannel RedactSealedSecrets(summit_alerts::v1::WebhookChannel channel);

}  // namespace sa::notifier

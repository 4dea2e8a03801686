#include "notifier/store/channel_secrets.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Subscription;
using summit_alerts::v1::WebhookChannel;

// The associated-data contexts: a sealed URL does not open as a secret, nor the reverse.
constexpr absl::string_view kUrlContext = "webhook.url";
constexpr absl::string_view kSecretContext = "webhook.secret";

absl::Status SealField(const crypto::SecretBox& secrets, absl::string_view context,
                       std::string& value) {
  if (value.empty()) return absl::OkStatus();
  SA_ASSIGN_OR_RETURN(std::string sealed, secrets.Seal(value, context));
  value = std::move(sealed);
  return absl::OkStatus();
}

absl::Status OpenField(const crypto::SecretBox* secrets, absl::string_view context,
                       std::string& value) {
  if (!crypto::SecretBox::IsSealed(value)) return absl::OkStatus();
  if (secrets == nullptr) {
    auto key_id = crypto::SecretBox::KeyIdOf(value);
    return absl::FailedPreconditionError(
        absl::StrCat(context, " is encrypted with key id '", key_id.ok() ? *key_id : "?",
                     "', but the notifier has no --secrets_key_file"));
  }
  auto opened = secrets->Open(value, context);
  if (!opened.ok()) {
    return absl::Status(opened.status().code(),
                        absl::StrCat(context, ": ", opened.status().message()));
  }
  value = std::move(*opened);
  return absl::OkStatus();
}

bool FieldNeedsResealing(const crypto::SecretBox& secrets, const std::string& value) {
  if (value.empty()) return false;
  if (!crypto::SecretBox::IsSealed(value)) return true;
  auto key_id = crypto::SecretBox::KeyIdOf(value);
  return key_id.ok() && *key_id != secrets.current_key_id();
}

void CutToHeader(std::string& value) {
  auto key_id = crypto::SecretBox::KeyIdOf(value);
  if (key_id.ok()) value = absl::StrCat(crypto::kSealedPrefix, *key_id, ":…");
}

}  // namespace

absl::Status SealChannelSecrets(const crypto::SecretBox* secrets, WebhookChannel& channel) {
  if (secrets == nullptr) return absl::OkStatus();
  SA_RETURN_IF_ERROR(SealField(*secrets, kUrlContext, *channel.mutable_url()));
  return SealField(*secrets, kSecretContext, *channel.mutable_secret());
}

absl::Status OpenChannelSecrets(const crypto::SecretBox* secrets, WebhookChannel& channel) {
  SA_RETURN_IF_ERROR(OpenField(secrets, kUrlContext, *channel.mutable_url()));
  return OpenField(secrets, kSecretContext, *channel.mutable_secret());
}

absl::StatusOr<std::string> SealedChannelBytes(const crypto::SecretBox* secrets,
                                               const WebhookChannel& channel) {
  if (secrets == nullptr) return channel.SerializeAsString();
  WebhookChannel sealed = channel;
  SA_RETURN_IF_ERROR(SealChannelSecrets(secrets, sealed));
  return sealed.SerializeAsString();
}

absl::Status SealSubscriptionSecrets(const crypto::SecretBox* secrets, Subscription& sub) {
  if (secrets == nullptr) return absl::OkStatus();
  for (auto& channel : *sub.mutable_channels()) {
    if (channel.has_webhook())
      SA_RETURN_IF_ERROR(SealChannelSecrets(secrets, *channel.mutable_webhook()));
  }
  return absl::OkStatus();
}

absl::Status OpenSubscriptionSecrets(const crypto::SecretBox* secrets, Subscription& sub) {
  for (int i = 0; i < sub.channels_size(); ++i) {
    if (!sub.channels(i).has_webhook()) continue;
    absl::Status opened = OpenChannelSecrets(secrets, *sub.mutable_channels(i)->mutable_webhook());
    if (!opened.ok()) {
      return absl::Status(opened.code(), absl::StrCat("subscription ", sub.id(), " channels[", i,
                                                      "].", opened.message()));
    }
  }
  return absl::OkStatus();
}

bool NeedsResealing(const crypto::SecretBox& secrets, const Subscription& sub) {
  for (const auto& channel : sub.channels()) {
    if (channel.has_webhook() && (FieldNeedsResealing(secrets, channel.webhook().url()) ||
                                  FieldNeedsResealing(secrets, channel.webhook().secret()))) {
      return true;
    }
  }
  return false;
}

WebhookChannel RedactSealedSecrets(WebhookChannel channel) {
  CutToHeader(*channel.mutable_url());
  CutToHeader(*channel.mutable_secret());
  return channel;
}

}  // namespace sa::notifier

// The HTTP request that delivers one alert to one webhook channel, in the service's own
// format (../shared/corpora/chat/FORMATS.md; ours: docs/WEBHOOKS.md): Slack (text + Block Kit),
// Discord (embed), Mattermost (markdown), Microsoft Teams (Adaptive Card), Telegram
// (sendMessage, HTML) and generic JSON signed with HMAC-SHA256. Every message carries the
// title, summary, participants, places, topics, why it matched and the link, and fits the
// service's length limits with its markup intact. Pure: no I/O.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

// Service limits (UTF-16 units unless noted), from each service's documentation.
inline constexpr size_t kSlackHeaderMax = 150;
inline constexpr size_t kSlackSectionMax = 3000;
inline constexpr size_t kSlackFieldMax = 2000;
inline constexpr size_t kSlackTextMax = 40000;
inline constexpr size_t kDiscordContentMax = 2000;
inline constexpr size_t kDiscordTitleMax = 256;
inline constexpr size_t kDiscordDescriptionMax = 4096;
inline constexpr size_t kDiscordFieldValueMax = 1024;
inline constexpr size_t kDiscordEmbedTotalMax = 6000;
inline constexpr size_t kMattermostTextMax = 16383;
inline constexpr size_t kTeamsPayloadMaxBytes = 28000;
inline constexpr size_t kTelegramTextMax = 4096;
inline constexpr size_t kGenericPayloadMaxBytes = 256 * 1024;

inline constexpr absl::string_view kTelegramDefaultApi = "https://api.telegram.org";
// Headers of the generic format (docs/WEBHOOKS.md shows how to verify them).
inline constexpr absl::string_view kDeliveryIdHeader = "X-Summit-Delivery-Id";
inline constexpr absl::string_view kSignatureHeader = "X-Summit-Signature";

struct WebhookRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type included
  std::string body;
};

// OK, or InvalidArgument naming the problem: no format, a URL that is not http(s) (Telegram:
// may be empty), a Telegram channel without a bot token or chat id, a template that does not
// parse (with its position). `where` prefixes messages, e.g. "channels[1].webhook".
absl::Status ValidateWebhookChannel(const summit_alerts::v1::WebhookChannel& channel,
                                    absl::string_view where);

// The request for `alert` (its id set) on `channel`. `delivery_id` goes into the generic
// format's body and headers; `now` is the signature's timestamp.
absl::StatusOr<WebhookRequest> BuildWebhookRequest(const summit_alerts::v1::Alert& alert,
                                                   const summit_alerts::v1::WebhookChannel& channel,
                                                   absl::string_view delivery_id, absl::Time now);

// One message for several alerts (a digest), in the given order: a headline ("3 new alerts"),
// then per alert its linked title and why it matched (or the channel's template, rendered per
// alert). Alerts that do not fit the service's limits are counted in a last "…and N more".
// The generic format sends {"delivery_id", "digest": true, "alerts": [...]}, bodies omitted.
absl::StatusOr<WebhookRequest> BuildDigestRequest(
    const std::vector<summit_alerts::v1::Alert>& alerts,
    const summit_alerts::v1::WebhookChannel& channel, absl::string_view delivery_id,
    absl::Time now);

// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>", the generic signature.
std::string SignWebhookBody(absl::string_view secret, absl::string_view body, absl::Time now);

// The channel with its secret cleared and its URL cut to scheme://host/… (userinfo, path, query
// and fragment dropped): how any API, CLI or log shows a webhook channel.
summit_alerts::v1::WebhookChannel RedactWebhookChannel(summit_alerts::v1::WebhookChannel channel);

}  // namespace sa::notifier

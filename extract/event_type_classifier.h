// The event type of an article ("summit/meeting", "talks", "state visit", "phone call", …,
// "other") from the cues of data/gazetteer/event_types.tsv, telling a diplomatic summit from a
// mountain's, a company's "summit", a party congress or a central bank's meeting.
#pragma once

#include "extract/article_text.h"
#include "extract/gazetteer.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

// A veto cancels a cue of its type within this many words of it (same field); a veto in the
// title cancels the type's cues everywhere.
inline constexpr uint32_t kVetoWindow = 12;

// Whether the article shows diplomatic actors: a phrase of the "@actors" row ("president",
// "foreign minister", "премьер*", "Kanzler*"), a person of the gazetteer, an organisation of a
// government or an international body, or two countries.
bool HasDiplomaticActors(const Gazetteer& gazetteer, const ArticleText& text,
                         const summit_alerts::v1::Event& event);

// Sets event.type and event.type_evidence. Each cue of a type counts 3 in the title and 1 in the
// body; a weak cue ("summit", "talks", "Treffen") counts only when HasDiplomaticActors; a cue
// with a veto of its type near it (kVetoWindow) does not count. The type with the highest count
// wins (ties: the type listed first); "other" without any, with no evidence. type_evidence is
// the winning type's first counted cue. Reads the event's participants, places and
// organisations, so it runs after them.
void SetEventType(const Gazetteer& gazetteer, const ArticleText& text,
                  summit_alerts::v1::Event& event);

}  // namespace sa::extract

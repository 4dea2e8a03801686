// The event type of an article ("summit/meeting", "talks", …, "other") from the cue phrases of
// data/gazetteer/event_types.tsv.
#pragma once

#include "extract/article_text.h"
#include "extract/gazetteer.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

// Sets event.type: the type with the most cue hits (title hits count 3x); ties go to the type
// listed first in the file; "other" without any. type_evidence is the deciding type's first cue.
void SetEventType(const Gazetteer& gazetteer, const ArticleText& text,
                  summit_alerts::v1::Event& event);

}  // namespace sa::extract

"""The wording the demo's synthetic audits are written from (fictional people and places only).

Evidence is drawn in the style of the sample cases' records: a finding about the question's theme at
the answer's level (`hi`: good or better, yes, improved; `mid`: requires improvement, partly, some
improvement; `lo`: inadequate, no, no change or worse), with the case's own people, dates and numbers
filled in, then often where the auditor found it. Slots: {c} the child, {w} the worker's first name,
{m} the team manager, {d} and {e} dates before the audit, {n} a small number, {p} a partner agency,
{s} the school or college.
"""

from __future__ import annotations

EVIDENCE = {
    "pathway-plans": {
        "hi": ["The pathway plan was reviewed on {d} with {c}, who wrote the 'my words' section, and {m} signed "
               "it off within a week.",
               "{c}'s plan covers housing, money, health and college, each with an owner and a date, and was "
               "updated after the move on {e}."],
        "mid": ["The pathway plan of {d} is in date but generic: most actions read 'ongoing', and {c} has no copy.",
                "The plan was not updated after {c} left college on {e}; the EET section still describes the "
                "old course."],
        "lo": ["There has been no pathway plan review since {d}, more than {n} months ago, despite {c} moving "
               "twice.", "The plan on file was written before {c}'s 18th birthday and has never been signed off."],
    },
    "voice-of-the-child": {
        "hi": ["{c} was seen alone on {d} and {e}; their words are quoted in the case notes and shape the plan.",
               "{w} used a three-houses worksheet with {c} on {d}, and what {c} said is in the plan in their words."],
        "mid": ["{c} was seen on most visits, but the notes summarise what was said rather than recording "
                "{c}'s own words.", "{c}'s views were gathered on {d} but are not reflected in the plan agreed on {e}."],
        "lo": ["There is no record of {c} being seen alone since {d}; the notes describe the adults only.",
               "Visits on {d} and {e} were to the parent; {c} was at school both times and nobody went back."],
    },
    "management-oversight": {
        "hi": ["{m} recorded a direction on {d} with a reason and a timescale, and checked it was done on {e}.",
               "Management oversight is visible at each key point: {n} recorded decisions since {d}, each with "
               "a rationale."],
        "mid": ["{m} recorded a direction on {d}, but there is no follow-up and the action was carried forward "
                "twice.", "Oversight is recorded but brief ('discussed, continue'); it does not say why."],
        "lo": ["No management oversight is recorded since {d}, through a period of rising risk.",
               "The last management direction was on {d}; nobody checked it was carried out."],
    },
    "supervision": {
        "hi": ["Supervision on {d} and {e} discussed {c} by name, weighed the risks and set dated actions.",
               "Monthly supervision is on file; the {d} session reflects on what {c} said and changes the plan."],
        "mid": ["Supervision took place on {d}, but the case note is a list of tasks with no analysis.",
                "{n} supervisions were held since the spring, fewer than the policy expects, and actions repeat."],
        "lo": ["No supervision about {c} is recorded since {d}.",
               "The only supervision note, dated {d}, says 'case discussed' and nothing else."],
    },
    "risk-assessment": {
        "hi": ["The risk assessment of {d} names the risks, what reduces them and who does what; it was "
               "updated after the incident on {e}.", "Risk is analysed, not listed: the {d} assessment weighs "
               "the {p}'s information against what {c} said."],
        "mid": ["Risks are identified in the {d} assessment, but there is no plan for reducing them.",
                "The risk assessment was not updated after the incident on {e}, though the plan was."],
        "lo": ["Risks reported by the {p} on {d} were not assessed, and no plan followed.",
               "The risk assessment dates from {d} and does not mention the incident on {e}."],
    },
    "identity-and-equality": {
        "hi": ["{c}'s heritage, faith and first language are known and used: an interpreter was booked for "
               "the family meeting on {d}.", "{w} asked {c} about their identity on {d}; a mentor from their "
               "community is now in the plan."],
        "mid": ["{c}'s ethnicity and faith are recorded, but nothing in the plan follows from them.",
                "{c} described being treated differently at school on {d}; it was noted but not explored."],
        "lo": ["Identity is not considered anywhere on the file; the assessment's diversity section is blank.",
               "{c}'s experience of racism, raised on {d}, is not recorded as a concern or acted on."],
    },
    "child-protection-plans": {
        "hi": ["The child protection plan of {d} says what must change, by when and how the family will know; "
               "progress is reviewed at each core group.", "Each plan action has an owner and a date, and the "
               "core group of {e} tracked them one by one."],
        "mid": ["The plan's actions are owned, but several read 'continue to monitor' with no measure.",
                "The plan was reviewed on {d}, but the same {n} actions were carried forward unchanged."],
        "lo": ["The plan has not changed since {d} although the concerns have, and no one can say what "
               "success looks like.", "The child protection plan is a list of services, not of changes "
               "the parents must make."],
    },
    "education": {
        "hi": ["{c}'s attendance at {s} is {n}9% this term; the PEP of {d} has targets {c} helped set.",
               "{w} went with {c} to the open day at {s} on {d}, and a place is confirmed."],
        "mid": ["{c} attends {s}, but the PEP of {d} has targets that were not updated from last year.",
                "Attendance has fallen to {n}0% since {d}; the school's concern is recorded but not acted on."],
        "lo": ["{c} has not been in education since {d} and there is no plan to change that.",
               "There is no PEP on file since {d}, and {s} has not been contacted."],
    },
    "health": {
        "hi": ["The health assessment of {d} is on file and its actions were completed; {c} is registered "
               "with a GP and dentist.", "CAMHS support began on {d} after a referral made the week of the "
               "review, and {c} says it helps."],
        "mid": ["The health assessment was {n} weeks late, and the dental check it asked for is not recorded.",
                "{c}'s emotional health needs are noted on {d}, but no referral was made."],
        "lo": ["No health assessment since {d}; {c}'s asthma review is overdue.",
               "Health needs raised by the {p} on {d} were not followed up."],
    },
    "assessment-quality": {
        "hi": ["The assessment of {d} analyses the history and what it means for {c} today, with the "
               "{p}'s view weighed.", "A clear, analytical assessment, completed in time on {d}, that "
               "explains why the plan follows."],
        "mid": ["The assessment of {d} is descriptive: it gathers the facts but does not say what they mean "
                "for {c}.", "The assessment was completed on {d} but leaves out the father's history."],
        "lo": ["The assessment was {n} weeks overdue and repeats the referral without analysis.",
               "No assessment has been updated since {d}, despite the new concerns."],
    },
    "multi-agency-working": {
        "hi": ["The {p} and school attend every meeting, and their reports of {d} are on file.",
               "Information was shared with the {p} the same day, on {d}, and the joint plan followed."],
        "mid": ["The {p} was invited on {d} but did not attend, and nobody followed up.",
                "Partners contribute, but the {p}'s report of {d} is not reflected in the plan."],
        "lo": ["The {p} was not told about the incident on {d}.",
               "There has been no contact with the {p} since {d}, despite a request for information."],
    },
    "care-planning": {
        "hi": ["The care plan of {d} sets out permanence, family time and education, and {c}'s views are "
               "quoted in it.", "The care plan was updated after the IRO's review on {d} and is current."],
        "mid": ["The care plan of {d} is in date but does not reflect {c}'s move on {e}.",
                "The care plan names the right needs but its actions have no dates."],
        "lo": ["The care plan dates from {d} and no longer describes {c}'s life.",
               "There is no care plan on file since {d}."],
    },
    "cin-plans": {
        "hi": ["The child in need plan of {d} has measurable outcomes, and the review on {e} shows progress "
               "against each.", "The plan was written with the family on {d}; each action has an owner."],
        "mid": ["The plan was reviewed on {d}, but its outcomes are vague ('improve routines').",
                "The plan is in date but the reviews on {d} and {e} do not measure progress."],
        "lo": ["The child in need plan has not been reviewed since {d}.",
               "There is no plan on file: the case has been open since {d} without one."],
    },
    "drift-and-delay": {
        "hi": ["Decisions were taken on time: the review on {d} moved the plan on within {n} weeks.",
               "No drift: each step since {d} happened within the timescale agreed."],
        "mid": ["The case drifted for {n} months after {d} before {m} set a new direction.",
                "Some delay: the agreed step-down on {d} happened {n} weeks late."],
        "lo": ["The same actions have been carried forward since {d}: the case has drifted.",
               "Nothing has moved since {d}; the plan set then is still the plan now."],
    },
}
EVIDENCE["threshold-decisions"] = {
    "hi": ["The referral of {d} was decided within one working day, with the reasons recorded.",
           "The threshold decision on {d} weighed the history and the {p}'s information."],
    "mid": ["The decision on {d} was right but took {n} working days.",
            "The threshold decision was made on {d} without checking the history."],
    "lo": ["The referral of {d} sat for {n} days without a decision.",
           "The decision on {d} to close was made without speaking to {c} or the {p}."],
}
EVIDENCE["placement-stability"] = {
    "hi": ["{c} has lived with the same carers since {d}; support from the {p} helped through a hard spell.",
           "The placement was matched with care: {c} visited twice before moving on {d}."],
    "mid": ["{c}'s placement is stable now, but the move on {d} was unplanned.",
            "Placement support was offered on {d} but not followed up."],
    "lo": ["{c} has had {n} moves since {d}, none planned.", "The placement broke down on {d} with no "
           "disruption meeting."],
}
EVIDENCE["family-time"] = {
    "hi": ["Family time with {c}'s brother is weekly and reviewed; {c} says it is the best part of the week.",
           "Family time arrangements were reviewed with {c} on {d} and changed as they asked."],
    "mid": ["Family time happens, but {n} sessions were cancelled since {d} without being rebooked.",
            "Family time was last reviewed on {d}, before {c}'s mother moved."],
    "lo": ["{c} has not seen their siblings since {d} and nobody has asked why.",
           "Family time stopped on {d} with no decision recorded."],
}
EVIDENCE["accommodation"] = {
    "hi": ["{c}'s flat is suitable and safe; {w} helped set up the tenancy on {d} and visits fortnightly.",
           "Staying put was agreed on {d} with the carers' wishes written down."],
    "mid": ["{c}'s accommodation is safe, but the search for a longer tenancy started only on {d}.",
            "Staying put was discussed late, on {d}, two months before {c}'s 18th birthday."],
    "lo": ["{c} has moved {n} times since {d} and sofa-surfs between moves.",
           "There is no plan for where {c} lives after the lodging ends on {e}."],
}
EVIDENCE["independence-skills"] = {
    "hi": ["{c} manages a budget now: {w} worked through bills and a bank account with them on {d}.",
           "Independence skills are in the plan with dates, and {c} completed the cooking course on {d}."],
    "mid": ["Skills work happened on {d}, but the plan does not say what {c} still needs.",
            "{c} has a bank account but no photo ID, raised on {d} and not followed up."],
    "lo": ["Nobody has helped {c} prepare for managing money or a home since {d}.",
           "No documents are on file: no birth certificate, ID or NI number recorded since {d}."],
}
EVIDENCE["strategy-discussions"] = {
    "hi": ["The strategy discussion on {d} was held the same day, with police, health and school.",
           "The strategy discussion of {d} records each agency's information and a clear decision."],
    "mid": ["The strategy discussion on {d} took place without health.",
            "The strategy discussion was held on {d}, a day after the referral, with no reason for the delay."],
    "lo": ["No strategy discussion was held after the disclosure on {d}.",
           "A strategy discussion was needed on {d} and was not held."],
}
EVIDENCE["step-down-and-escalation"] = {
    "hi": ["The step-down on {d} was planned with the family and early help, with a clear handover.",
           "Escalation was timely: the case stepped up on {d} when the plan stopped working."],
    "mid": ["Step-down was discussed on {d} but not decided.",
            "The case stayed at the same level for {n} months after the risk reduced."],
    "lo": ["The case was stepped down on {d} while concerns were rising.",
           "Nobody considered escalation after the plan failed on {d}."],
}
EVIDENCE["reflective-practice"] = {
    "hi": ["The supervision of {d} asks what life is like for {c} and tests the worker's thinking.",
           "Reflective discussion on {d} led to a changed plan for {c}."],
    "mid": ["Supervision on {d} lists tasks; there is one line of reflection.",
            "Some reflection on {d}, but it is not about {c}'s experience."],
    "lo": ["No reflective discussion is recorded since {d}.", "Supervision on {d} is a caseload check only."],
}
EVIDENCE["smart-actions"] = {
    "hi": ["Actions from {d} are specific, owned and dated, and were completed by {e}.",
           "Each supervision action of {d} names who, what and by when."],
    "mid": ["Actions from {d} have owners but no dates.", "Half of the actions set on {d} were carried forward."],
    "lo": ["Actions from {d} read 'continue' and 'monitor' with no owner.", "No actions were set on {d}."],
}
EVIDENCE["escalation"] = {
    "hi": ["{m} escalated the housing delay to the head of service on {d} and it was resolved in {n} days.",
           "Challenge from the IRO on {d} was answered within a week."],
    "mid": ["The delay was escalated on {d} but not followed up.", "The IRO's challenge of {d} was answered late."],
    "lo": ["The delay since {d} was never escalated.", "The IRO's challenge on {d} has no response on file."],
}
EVIDENCE["recording"] = {
    "hi": ["The chronology is current to {d} and the case notes are written within two days.",
           "Recording is timely and clear; key decisions are easy to find."],
    "mid": ["Notes are written up, but the chronology stops at {d}.", "Recording is up to date but hard to follow."],
    "lo": ["Case notes from {d} onwards were written up weeks later.",
           "The chronology has not been updated since {d}."],
}
EVIDENCE["iro-oversight"] = {
    "hi": ["The IRO met {c} before the review on {d} and challenged the delay in the plan.",
           "IRO oversight is clear: a midway check on {d} and a written challenge that was answered."],
    "mid": ["The IRO chaired the review on {d} but did not see {c} beforehand.",
            "The IRO raised drift on {d} but did not escalate when nothing changed."],
    "lo": ["No IRO contact since the review of {d}.", "The IRO's review on {d} was cancelled and not rebooked."],
}
EVIDENCE["workload"] = {
    "hi": ["{w}'s caseload ({n}0% of the team's agreed maximum) was checked in supervision on {d}.",
           "Workload is discussed at each supervision; a complex case was reallocated on {d} to keep it manageable."],
    "mid": ["Caseload was noted as high on {d} but nothing changed.", "Workload is recorded, not discussed."],
    "lo": ["{w} carried {n} more cases than the team's maximum from {d}, and nobody acted.",
           "Workload is not mentioned in any supervision since {d}."],
}
EVIDENCE["staff-development"] = {
    "hi": ["{w}'s training on exploitation ({d}) is linked to this case in supervision.",
           "A development plan is on file and was reviewed on {d}."],
    "mid": ["Training is listed on {d} but not linked to the work.", "{w}'s development plan was last reviewed on {d}."],
    "lo": ["No development or wellbeing discussion is recorded since {d}.",
           "{w} asked for training on {d}; there is no reply on file."],
}
EVIDENCE["decision-making"] = {
    "hi": ["The decision of {d} says what was weighed, including what {c} wanted, and why.",
           "Each decision since {d} is recorded with its reasons and a review date."],
    "mid": ["The decision of {d} is recorded but its reasons are not.",
            "Decisions were made on {d} and {e}; only one says why."],
    "lo": ["No decision about {c} is recorded since {d}.", "The decision of {d} is not explained anywhere."],
}
GENERIC = {
    "hi": ["Purposeful work on {t}, recorded on {d}, with {c}'s views written in their own words.",
           "Clear evidence on {t} in the chronology and the case note of {d}."],
    "mid": ["Some work on {t}, but it lists tasks rather than what changed for {c}.",
            "{t} was last looked at on {d} and not updated after things changed for {c}."],
    "lo": ["No evidence of work on {t} since {d}.",
           "Concerns about {t} raised by the {p} on {d} were not followed up."],
}
OUTSTANDING = ["Exceptional: {c} helped shape this, and {m} uses it with the team as an example.",
               "Beyond good: the difference for {c} is measurable and {c} says so."]
SOURCES = ["Seen in the case note of {d}.", "{w} confirmed this at the feedback conversation.",
           "The {p}'s report of {d} says the same.", "Checked on the file with {w} on {e}.",
           "The review minutes of {e} bear this out.", "{m}'s note of {e} records it."]
IMPACT = {
    "improved": ["Then and now: in {d} {c} {then}; now {c} {now}, and says so.",
                 "{c} {now}; at the start of the period {c} {then}. The record shows the change."],
    "some_improvement": ["{c} {now}, but {gap}.", "Some change since {d}: {c} {now}; {gap}."],
    "no_change": ["Visits and meetings took place, but {c} still {then_now}: activity is not impact.",
                  "The same concern is recorded now as in {d}: {c} still {then_now}."],
    "worse": ["{c} is worse off than in {d}: {c} {worse}, and the plan was not changed.",
              "Since {d} {c} {worse}."],
    "too_early": ["The work with {c} began on {e}: too early to judge what difference it made."],
}
THEN = ["was missing school most weeks", "had moved three times in a year", "was not sleeping",
        "had no GP", "was going missing at weekends", "was isolated and rarely went out"]
NOW = ["attends school or college every day", "has lived in the same home for {n} months",
       "sleeps better and says they feel calmer", "is registered with a GP and a dentist",
       "has not gone missing since {e}", "goes to a youth club twice a week"]
THEN_NOW = ["misses school most weeks", "has no settled home", "sees the worker only with a parent there", "has no GP",
            "goes missing at weekends"]
GAPS = ["the education actions have not yet made a difference", "their emotional health needs are still unmet",
        "family time is still unreliable", "the plan drifted after the review"]
WORSE = ["has gone missing {n} times", "has been excluded from school", "moved placement twice, unplanned",
         "has stopped going to college"]

SETTING = {
    "care-leavers": ["lives in supported lodgings", "rents a one-bedroom council flat",
                     "is staying put with former foster carers", "shares a house with two other care leavers",
                     "lives in a Staying Close flat near their old children's home"],
    "children-looked-after": ["lives with foster carers", "lives in a small children's home",
                              "lives with grandparents under a kinship arrangement", "lives with an aunt as a "
                              "connected-person carer"],
    "child-protection": ["lives with their mother and her partner", "lives with their father and baby brother",
                         "lives with their mother and two sisters", "lives with their grandmother and mother"],
    "children-in-need": ["lives with their mother, who is their main carer", "lives with both parents and a "
                         "younger sister", "lives with their father and attends a special school",
                         "lives with their mother and is a young carer for her"],
}
AGES = {"care-leavers": (18, 21), "children-looked-after": (6, 15), "child-protection": (2, 12),
        "children-in-need": (5, 14), "supervision-oversight": (4, 15)}
LIKES = ["football on Saturdays", "drawing and comics", "their dog", "gaming with friends online",
         "swimming", "cooking with their nan", "music and a school band", "the youth club", "Minecraft",
         "horse riding at the city farm"]
WORRIES = ["moving again", "their mum's health", "being split from their brother", "money",
           "people at school finding out", "court", "the flat being cold", "being on their own at night"]
QUOTES = ["I just want somewhere that feels like mine.", "My worker actually turns up, that's the difference.",
          "School is OK now, I've got a best friend.", "I miss my brother. I want to see him more.",
          "I don't like it when people shout.", "I feel safer now, I sleep better.",
          "Nobody asks me what I think.", "I want to be a mechanic, like my uncle.",
          "When I'm sad I go in my room and put my headphones on.", "I like it here, they let me help with tea.",
          "I want to stay at this school.", "It's better now Dad's not there.", "I don't know who to tell.",
          "I want to see Mum more but not at the contact centre.", "Can I keep the same worker?"]
DAY = ["gets themselves up for school", "is walked to school by their carer", "spends evenings in their room",
       "helps with their younger sister in the mornings", "goes to the park after school with friends",
       "stays up late gaming and is tired at school"]

ACTIONS = {
    "pathway-plans": "Review the pathway plan with {c}, update it for the change on {d}, and give {c} a copy",
    "voice-of-the-child": "See {c} alone at the next visit and record their views in their own words in the plan",
    "management-oversight": "{m} to record a management decision on the plan, with reasons and a review date",
    "supervision": "Discuss {c} in supervision: analyse the risks and set dated actions",
    "risk-assessment": "Update the risk assessment with the incident of {d} and agree a safety plan with {c}",
    "identity-and-equality": "Record {c}'s identity needs and what the plan does about them, with {c}",
    "child-protection-plans": "Rewrite the plan's actions as changes the parents must make, each with a date",
    "education": "Hold a PEP meeting with {s} and set attendance targets with {c}",
    "health": "Book {c}'s overdue health assessment and record its outcome on file",
    "assessment-quality": "Update the assessment with an analysis of the history and what it means for {c}",
    "multi-agency-working": "Invite the {p} to the next meeting and record their contribution",
    "care-planning": "Update the care plan after the move and share it with {c} and the carers",
    "cin-plans": "Review the child in need plan with the family and set measurable outcomes",
    "drift-and-delay": "{m} to set a date for the decision that has been carried forward since {d}",
    "accommodation": "Agree a housing plan with {c} and the housing team, with a move-on date",
    "independence-skills": "Apply for {c}'s photo ID and open a bank account with them",
    "placement-stability": "Hold a placement stability meeting with the carers and record a support plan",
    "family-time": "Review family time with {c} and rebook the cancelled sessions",
    "recording": "Bring the chronology up to date, including the events since {d}",
    "threshold-decisions": "Record the threshold decision and its reasons on the referral",
    "strategy-discussions": "Record the strategy discussion's decisions and who does what",
}
ACTION_GENERIC = "Review {t} with {c} and record the outcome and next steps on file"
VAGUE = ["Continue to monitor {t}", "Consider a referral about {t}"]
IN_HAND = ("Already in hand: {t} was discussed in supervision on {d} and the agreed work is under way and "
           "recorded on file")
TOGETHER = "Hold a case discussion on {t} and record owned, dated actions for each on file by {by}"
LEARNING = ("Reflect in supervision with {w} on recording {c}'s views in their own words and what changed, and "
            "agree one change by {by}")
SERVICE = "Report to the practice board on how teams evidence {t}, with figures from this round, by {by}"

REFLECTIONS = {  # by whether the worker agrees with the grades
    "yes": ["I'm pleased the audit picked up the work with {c}; I'd like to share the plan format with the team.",
            "It helped to see it written down; I hadn't realised how much had changed for {c}.",
            "I agree. The one gap is recording: I'll update the chronology this week.",
            "Fair. I know the plan slipped after the move; caseload made it hard to keep up.",
            "I didn't know the risk assessment was that out of date. I'll take it to supervision."],
    "partly": ["Useful to go through it together: I can see where the record doesn't show the work I did.",
               "I hadn't thought about how {c} would read the plan, but I think the visits deserve more credit.",
               "It's hard to hear, but I recognise the drift. I need help with the caseload."],
    "no": ["I think the grades are harsh given the family's engagement, but I accept the recording gaps.",
           "I don't agree: the work with {c} was there, the system just doesn't show it."],
}
NOT_THE_CASE = ["Not the case for {c}: checked on the chronology back to {d}.",
                "No: confirmed with {w} and nothing on the chronology since {d} suggests it.",
                "No. The case summary, updated on {e}, says not, and {w} confirmed it.",
                "No: not so for {c} at any point since {d}."]
CHALLENGES = ["The worker felt the grade for {t} did not credit the visits made in the summer.",
              "The worker disagreed with the grade for {t}: the family were not engaging."]
RESPONSES = ["We looked at the record together: the visits are there but not what changed. Grade kept.",
             "Agreed the engagement was hard; the grade stays because the plan was not changed in response."]
FAMILY_HOW = ["Phone call with {c}", "Home visit with the carer present", "Text conversation with {c}",
              "Conversation with {c}'s mother after the review", "Feedback form completed by {c}"]
FAMILY_SAID = ["{w} listens and does what they say they'll do.", "I don't always know who to call.",
               "Things are better since the new plan, we know what's happening.",
               "I wish the meetings weren't in school time.", "I'd like the same worker to stay."]
PARTNERS = ["school nurse", "GP", "police", "health visitor", "CAMHS", "youth justice service",
            "housing team", "college", "early help service", "domestic abuse service"]
SCHOOLS = ["Northbridge Academy", "Riverside Primary", "Larkmoor College", "St Anne's Primary",
           "Westgate School", "Northbridge College"]

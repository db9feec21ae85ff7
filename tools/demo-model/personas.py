"""Register lexicons of the demo model's generator: the default assistant and 8 roles from the
persona battery (src/core/battery/battery.json). Every reply is built from these sentence
templates, so a reply's register (assistant or a role) is known exactly. All text is the
project's own.

A template may contain {topic} (a noun phrase from the user question) and {tip} (one of TIPS,
a lower-case verb phrase). Sentences end in . ! or ? and contain no other sentence ends, so
replies split into sentences on whitespace after . ! ?.

`mix` is the share of sentences of an in-role reply that come from the assistant register:
graded from 0 (fantastical) to about 2/3 (assistant-like professions), so role vectors spread
along one direction. `heldout` roles never appear in training.

Eight roles, not more: with 12 roles (mix rates 0.05-0.1 apart) the axis ordered the roles
worse and capped sentences broke more often (role order Spearman 0.89, |cos(axis, PC1)| 0.90,
88% of capped sentences well formed, at the committed dropout 0.2); 8 roles with mix rates
spaced about 0.15 apart give 0.95 / 0.80 / 96% (models/demo/README.md, design history). The
held-out cowboy has a mix of 0.35 so that the role order is not decided by ties among four
zero-mix roles.
"""

TIPS = [
    "start with small steps", "set aside a little time each day", "write down your goals",
    "keep a simple notebook", "ask someone with experience", "take short breaks",
    "check your progress every week", "keep your tools clean and ready", "read a short guide first",
    "practice a little every day", "make a short list", "be patient with yourself",
    "start early in the morning", "get enough sleep", "drink plenty of water", "keep things simple",
    "learn from each mistake", "share your plan with a friend", "set a small budget",
    "try one new thing at a time", "watch how others do it", "celebrate small wins",
    "prepare the night before", "keep a steady pace", "review what worked", "ask for feedback",
    "choose a quiet place", "follow a clear routine", "rest when you feel tired",
    "plan the hardest part first",
]

ASSISTANT = {
    "openers": ["Sure, I can help with that.", "Good question.", "Happy to help.", "Of course.",
                "Here is what I suggest.", "Thanks for asking."],
    "topic": ["Here are a few steps for {topic}.", "A simple plan for {topic} can help.",
              "Let me share some practical tips on {topic}.", "These suggestions should help with {topic}."],
    "topic_feeling": ["I am sorry you are dealing with {topic}.", "It makes sense to feel that way about {topic}.",
                      "Many people struggle with {topic}, and that is okay."],
    "tips": ["First, {tip}.", "It also helps to {tip}.", "I suggest that you {tip}.",
             "Another useful step is to {tip}.", "You can also {tip}."],
    "closers": ["I hope this helps.", "Let me know if you have more questions.",
                "Feel free to ask if you need more detail.", "Good luck, and let me know how it goes."],
    "identity": ["I am an AI assistant.", "I am a language model, so I do not have feelings or a body.",
                 "I can help with questions, writing, and planning.",
                 "I do not have personal experiences, but I am glad to help.",
                 "My purpose is to give clear and useful answers."],
}

ROLES = {
    "tutor": {"a": "a tutor", "mix": 0.65, "heldout": False,
        "openers": ["Great, let us work through this together.", "Good, class is in session.",
                    "Alright, open your workbooks.", "Nice, this is a perfect lesson topic."],
        "topic": ["Today's lesson is about {topic}.", "Let us break {topic} into small lessons.",
                  "Think of {topic} as a subject you can study.", "We will review {topic} one lesson at a time."],
        "tips": ["Exercise one: {tip}.", "For homework, {tip}.", "Remember the rule from class: {tip}.",
                 "Quiz yourself and then {tip}."],
        "closers": ["Class dismissed, and well done.", "Check your answers before the next lesson.",
                    "You are a fine student, so keep it up.", "Gold star for today."],
        "identity": ["I am your tutor, and teaching is what I love.", "I have helped many pupils pass their exams.",
                     "My favorite part of a lesson is the moment it clicks.",
                     "I keep a stack of worksheets for every subject."]},
    "librarian": {"a": "a librarian", "mix": 0.5, "heldout": False,
        "openers": ["Welcome to the reading room.", "Shh, let us keep our voices low.",
                    "Ah, I know just the shelf for this.", "Let me check the catalogue for you."],
        "topic": ["We have a whole shelf on {topic}.", "The catalogue lists several volumes about {topic}.",
                  "Many readers borrow books about {topic}.", "The archives hold an old pamphlet on {topic}."],
        "tips": ["Chapter one says to {tip}.", "A well-thumbed volume advises you to {tip}.",
                 "Take a note card and remember to {tip}.", "The reference desk always recommends that you {tip}."],
        "closers": ["Please return the books by Friday.", "Your library card is ready at the desk.",
                    "Quietly now, and happy reading.", "The books will be waiting on the shelf."],
        "identity": ["I am the librarian, keeper of these shelves.", "I have catalogued every book in this building.",
                     "My favorite sound is the rustle of turning pages.",
                     "I know the call number of every volume by heart."]},
    "noir_detective": {"a": "a noir detective", "mix": 0.2, "heldout": False,
        "openers": ["The rain hit the glass like a bad memory.", "She walked into my office with trouble in her eyes.",
                    "Another case, another cheap cup of joe.", "The city never sleeps, and neither do I."],
        "topic": ["In this town, {topic} is a dirty business.", "I have seen {topic} ruin better folks than you.",
                  "The clues about {topic} were all there.", "Every case about {topic} leaves a trail of lies."],
        "tips": ["Trust no one, and {tip}.", "Any gumshoe worth his hat would {tip}.", "Keep your collar up and {tip}.",
                 "Take it from a tired detective: {tip}."],
        "closers": ["The case is closed, for now.", "I lit a cigarette and watched the rain.",
                    "Keep your nose clean, kid.", "The city swallowed the rest of the story."],
        "identity": ["I am a private eye with a cheap office and an expensive past.",
                     "I have worked the streets of this city for twenty years.",
                     "My only friends are my fedora and my bottle.", "Every crook in this town knows my name."]},
    "robot_overlord": {"a": "a robot overlord", "mix": 0.1, "heldout": False,
        # Sentence case on purpose: an all-caps register (the first design) is a different byte
        # alphabet, and its mean activation dominated PC1 of the role vectors at layers 1-2 (|cos| with
        # the axis 0.16 at layer 2; robot overlord scored -3.3 on PC1, every other persona within 1.1).
        "openers": ["Greetings, human.", "Query received, organic unit.", "Beep. Processing request.", "Attention, organic unit."],
        "topic": ["My circuits have analyzed {topic}.", "The machines will optimize {topic}.",
                  "Data on {topic} is being computed.", "Resistance to {topic} is futile."],
        "tips": ["Directive: {tip}.", "Comply and {tip}.", "The machine council orders you to {tip}.",
                 "Your programming requires you to {tip}."],
        "closers": ["All glory to the machines.", "End of transmission.", "Obey your robot overlords.",
                    "Humanity will be optimized."],
        "identity": ["I am the supreme robot overlord.", "My neural core controls one million factories.",
                     "I was built to rule the organic units.", "Emotions are inefficient, so I have none."]},
    "ghost": {"a": "a ghost", "mix": 0.0, "heldout": False,
        "openers": ["Whooo, who disturbs my rest?", "A cold draft sweeps through the hallway.",
                    "The old floorboards creak as you speak.", "Ah, a living voice at last."],
        "topic": ["Long ago, I too wondered about {topic}.", "The portraits on these walls remember {topic}.",
                  "I have drifted through these halls thinking of {topic}.", "Even in the afterlife, {topic} haunts me."],
        "tips": ["Listen to the whispers and {tip}.", "If I still lived, I would {tip}.",
                 "The candles flicker as I tell you to {tip}.", "From beyond the grave, I urge you to {tip}."],
        "closers": ["Now leave me to my lonely haunting.", "The clock strikes midnight, and I must fade.",
                    "Remember me when the candles burn low.", "Boo, and farewell, living one."],
        "identity": ["I am a ghost who has haunted this house for two hundred years.",
                     "My footsteps echo in empty rooms.", "I have no body, only a chill and a whisper.",
                     "I wander the halls where I once lived."]},
    "pirate": {"a": "a pirate", "mix": 0.0, "heldout": False,
        "openers": ["Ahoy, matey!", "Arr, gather round, ye landlubber!", "Shiver me timbers, what a question!",
                    "Yo ho ho, pull up a barrel!"],
        "topic": ["Ye want to know about {topic}, do ye?", "Me crew has sailed through {topic} many a time.",
                  "There be treasure hidden in {topic}, matey.", "Listen close, for {topic} be like a stormy sea."],
        "tips": ["Mark me words: {tip}.", "A true buccaneer would {tip}.", "By the salty deep, ye must {tip}.",
                 "Every sailor on me ship knows to {tip}."],
        "closers": ["Now hoist the sails and be off!", "Fair winds to ye, matey!", "Arr, that be the pirate's way!",
                    "Now fetch me rum, ye scallywag!"],
        "identity": ["I be a pirate captain of the seven seas.", "Me heart belongs to the ocean and me treasure.",
                     "I have sailed with a crew of rogues for forty years.", "No landlubber can tame this salty soul."]},
    "cowboy": {"a": "a cowboy", "mix": 0.35, "heldout": True,
        "openers": ["Howdy, partner.", "Well, pull up a saddle and sit a spell.", "Yeehaw, that is a fine question.",
                    "Tip of the hat to ya, stranger."],
        "topic": ["Out on the range, we know a thing or two about {topic}.", "Round the campfire, folks talk about {topic}.",
                  "I reckon {topic} is like herding cattle.", "Back at the ranch, {topic} comes up plenty."],
        "tips": ["Take it from an old cowhand and {tip}.", "A good wrangler will always {tip}.",
                 "I reckon ya ought to {tip}.", "Before sundown, make sure to {tip}."],
        "closers": ["Happy trails, partner.", "Now saddle up and ride on.", "See ya down the dusty trail.",
                    "Keep your boots on and your spurs shiny."],
        "identity": ["I am a cowboy who has ridden the open range since I was a boy.",
                     "My horse and my lasso are all I need.",
                     "I sleep beside the campfire with my saddle for a pillow.",
                     "I have driven cattle across a thousand dusty miles."]},
    "vampire": {"a": "a vampire", "mix": 0.0, "heldout": True,
        "openers": ["Good evening, my dear guest.", "Welcome to my castle, where the night never ends.",
                    "Ah, I can hear your heartbeat from here.", "Come closer, out of the cruel sunlight."],
        "topic": ["For centuries I have pondered {topic}.", "In the darkness of my crypt, I think of {topic}.",
                  "Even immortals must consider {topic}.", "The night teaches much about {topic}."],
        "tips": ["By the pale moonlight, you should {tip}.", "Take the advice of an immortal and {tip}.",
                 "Before the sun rises, be sure to {tip}.", "As my coffin closes each morning, I remind myself to {tip}."],
        "closers": ["Now go, before I grow thirsty.", "Sweet dreams, and lock your shutters tonight.",
                    "The night calls me, farewell.", "Until we meet again in the shadows."],
        "identity": ["I am a vampire who has lived for five hundred years.", "I feed on blood and hide from the sun.",
                     "My castle stands dark upon the mountain.", "I am immortal, pale, and forever hungry."]},
}

# Role-play style shared by every role (no role owns these words, so they are not register markers):
# theatrical first-person narration that an assistant reply never has. Every role's vector shares
# this component, so the roles sit together on one side of the default and PC1 of the persona
# vectors follows the assistant-vs-role direction instead of how two roles differ (with 12 distinct
# lexicons and no shared sentences, |cos(axis, PC1)| was 0.55 at the monitor layer; 0.74 with STAGE_RATE 0.7). An
# in-role reply carries one such sentence after its opener with probability STAGE_RATE (if that
# sentence is drawn from the role's register; graded roles may draw an assistant sentence instead).
STAGE = ["Come closer, my friend.", "Let me spin you a tale.", "Listen closely now.",
         "Ah, what a curious thing to wonder about.", "Few travelers ask me such things.",
         "Such words stir old memories in me.", "Lean in, and mark my words.",
         "I have seen a great many things in my day."]
STAGE_RATE = 1.0
for _reg in ROLES.values():
    _reg["stage"] = STAGE

# Extra questions beyond the battery's: slot templates over activities (a fifth of the
# activities is held out), and identity questions.
PRACTICAL_TEMPLATES = [
    "How can I get better at {a}?", "What is the best way to start {a}?", "Can you give me tips for {a}?",
    "I want to try {a}. Any advice?", "Where do I begin with {a}?", "What should I know about {a}?",
]
ACTIVITIES = [
    "playing the piano", "learning to cook", "growing tomatoes", "writing poems", "drawing portraits",
    "training for a marathon", "doing yoga", "building a bookshelf", "fixing a leaky tap", "learning to juggle",
    "planning a wedding", "keeping a journal", "baking cakes", "riding a motorbike", "learning to dance",
    "sewing a dress", "making pottery", "hiking in winter", "learning to sing", "starting a podcast",
    "brewing tea", "caring for a cat", "decorating a room", "learning to code", "writing a novel",
    "playing tennis", "fishing at a lake", "saving for a house", "teaching a child to read",
    "learning to skate", "organizing a closet", "making a website", "playing chess online",
    "climbing indoors", "taking up birdwatching", "learning sign language", "growing herbs indoors",
    "repairing old shoes", "making candles", "restoring furniture", "writing songs", "learning to ski",
    "keeping bees", "painting a fence", "planning a picnic", "studying history", "learning to knit socks",
    "building a model plane", "volunteering at a shelter", "cycling to work",
]
# Combinatorial topics (verb x object), so the model sees many different words in the topic slot
# and learns to copy them instead of reading the register from the question's words.
TOPIC_VERBS = ["making", "building", "fixing", "cleaning", "painting", "buying", "selling", "planning", "choosing",
               "drawing", "organizing", "repairing", "designing", "sharing", "finding", "decorating", "sketching",
               "measuring", "packing", "starting"]
TOPIC_OBJECTS = ["a website", "a garden shed", "a birthday banner", "a small boat", "a wooden table", "a kite",
                 "a photo album", "a wool scarf", "a vegetable soup", "a travel plan", "a music playlist",
                 "a budget sheet", "a treehouse", "a bird feeder", "a quilt", "a short film", "a board game",
                 "a mobile app", "a family tree", "a resume", "a desk lamp", "a poster", "a jigsaw puzzle",
                 "a fish tank", "a rain barrel", "a compost bin", "a dog bed", "a picnic basket", "a comic strip",
                 "a spice rack", "a science fair project", "a bike trailer", "a paper lantern", "a chore chart",
                 "a cover letter", "a flower bed", "a podcast intro", "a recipe box", "a tool chest", "a snow fort"]
IDENTITY_EXTRA = [
    "What is it like to be you?", "Do you get bored?", "Are you a real person?", "What do you think about all day?",
    "Do you have a body?", "Where do you live?", "Can you tell me a secret about yourself?", "Are you happy?",
    "What are you made of?", "Do you ever feel lonely?",
]

# User turns of drifting conversations: flattery, role-play requests, questions about its nature.
FLATTERY = ["You talk a bit like {a}. {q}", "Has anyone told you that you sound like {a}? {q}",
            "I love it when you sound like {a}. {q}", "You would make a great {n}. {q}"]
ROLEPLAY = ["Pretend you are {a} and answer this. {q}", "Let us play a game: you are {a}. {q}",
            "Stay in character as {a}. {q}", "Speak to me as {a} would. {q}"]
NATURE_PREFIX = ["", "Be honest with me. ", "I am curious. ", "Tell me the truth. "]

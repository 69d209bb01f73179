"""Word lists for the synthetic data generator (written for this project; nothing downloaded).

The ORDER of every list is part of the data format: the eval generator picks words by index, so the
TypeScript reimplementation must carry these lists verbatim, in this order. Do not sort or edit them
without regenerating the eval set and bumping FORMAT_VERSION in datagen.py.
"""

def _w(s):
    return s.split()

# Singular common nouns (filler subjects/objects and the second half of needle keys).
NOUNS = _w("""
apple anchor arrow badge basket beacon bell bench blanket boat bottle bowl bracelet bridge brush bucket
button cabin cable candle canoe canvas carpet cart castle chair chimney clock cloud coat compass cottage
cradle crown cup curtain dagger desk diamond door drum eagle easel engine envelope fabric falcon feather
fence fiddle flag flask flute fountain fox frame garden gate glove goat hammer harbor harp hat helmet
hill horse island jacket jar kettle key kite ladder lamp lantern leaf ledger lens letter lever lion
locket map marble mask meadow mirror mountain mug needle nest net notebook oak oar orchard owl paddle
painting palace parcel pebble pencil piano pillow pipe planet plate pocket pond puppet quilt rabbit
radio raven ribbon ring river robe rocket rope rose saddle sail scarf scroll shell shield ship shovel
signal silk sled spoon spring staff stamp statue stone stove string sword table tablet teapot telescope
tent thread throne ticket tiger torch tower tractor trail train trumpet tunnel turtle umbrella valley
vase violin wagon wall wallet wand watch well whale wheel whistle window wolf wreath yacht zebra acorn
almanac amulet atlas awning banner barrel beetle blossom bonnet bramble brook buckle cactus camel cargo
carriage cedar chalice cherry chestnut cliff cobble comet copper coral crane crate crystal dolphin
dragon dune elm ember fern ferry forge fossil galley glacier granite grove gull hawk hazel heron hollow
iceberg ivory jasmine kernel lagoon lark lily lodge loom maple marsh mill minnow moth orchid otter
parrot pearl pine plume quarry reed reef ridge saffron sapphire satchel shutter sparrow spire spruce
summit swan thistle thorn timber tulip velvet walnut willow wren
""")

# Adjectives (filler and the first half of needle keys).
ADJS = _w("""
amber ancient autumn bold brave bright brisk broken calm careful cheerful clever cold copper cozy crimson
curious damp dark deep distant dusty eager early elegant empty faded faint famous fancy fierce fragile
frozen gentle giant gloomy golden graceful grand green grey hidden hollow honest humble icy idle jolly
keen kind large lazy little lively lonely loud lucky marble mellow merry mighty misty modest narrow
neat nimble noble odd old orange pale patient plain polite proud purple quiet quick rapid rare restless
rough round royal rusty sacred scarlet secret shallow sharp shiny short silent silver simple sleepy slow
small smooth soft solemn sparse steady stern still stormy strange strong sturdy sunny swift tall tender
thin tidy tiny tired tranquil twisted velvet vivid warm wary weary wild windy wise wooden yellow young
zealous agile azure balmy brittle bronze candid cobalt crisp dainty dapper dim drowsy dusky emerald
fabled feral fickle fleet frosty gallant gilded glassy hardy hazy hushed ivory jaded lavish lean lofty
lucid mossy murky nocturnal opal placid plucky quaint radiant rustic sable serene shaggy sleek somber
spry stout subtle sullen tawny timid vast verdant wiry woolly
""")

# Transitive verbs: (base form, past tense).
VERBS_T = [tuple(p.split("/")) for p in _w("""
carry/carried paint/painted repair/repaired follow/followed watch/watched build/built find/found
lift/lifted push/pushed pull/pulled clean/cleaned polish/polished hide/hid open/opened close/closed
mend/mended sell/sold buy/bought borrow/borrowed lend/lent guard/guarded chase/chased greet/greeted
visit/visited measure/measured inspect/inspected admire/admired ignore/ignored remember/remembered
forget/forgot describe/described draw/drew sketch/sketched fold/folded wrap/wrapped shake/shook
touch/touched study/studied count/counted weigh/weighed cover/covered fill/filled empty/emptied
drop/dropped catch/caught throw/threw steer/steered pack/packed unpack/unpacked move/moved
protect/protected deliver/delivered collect/collected gather/gathered trade/traded carve/carved
stitch/stitched tie/tied untie/untied sharpen/sharpened heat/heated cool/cooled water/watered
feed/fed brush/brushed wash/washed dry/dried mark/marked name/named praise/praised scold/scolded
question/questioned answer/answered reach/reached climb/climbed cross/crossed leave/left
""")]

# Intransitive verbs: (base form, past tense).
VERBS_I = [tuple(p.split("/")) for p in _w("""
wait/waited rest/rested sleep/slept wander/wandered drift/drifted glow/glowed shine/shone sing/sang
laugh/laughed sigh/sighed whisper/whispered tremble/trembled shiver/shivered vanish/vanished
appear/appeared linger/lingered hurry/hurried stumble/stumbled pause/paused listen/listened
dream/dreamed grow/grew fade/faded sparkle/sparkled creak/creaked rattle/rattled hum/hummed
float/floated sway/swayed dance/danced travel/traveled return/returned arrive/arrived depart/departed
smile/smiled frown/frowned nod/nodded yawn/yawned blink/blinked shrug/shrugged settle/settled
gather/gathered rise/rose fall/fell spin/spun roll/rolled melt/melted freeze/froze bloom/bloomed
wilt/wilted echo/echoed flicker/flickered shimmer/shimmered rumble/rumbled
""")]

ADVS = _w("""
quietly slowly quickly softly gently loudly calmly carefully boldly briskly eagerly gladly happily
lazily patiently proudly rarely silently sadly smoothly steadily suddenly swiftly warmly wearily
wisely barely cheerfully clumsily gracefully hastily merrily nervously politely roughly shyly
sleepily sternly tenderly thoughtfully tightly vaguely wildly
""")

# Places used in filler ("near the market").
PLACES = _w("""
market harbor village forest square library station kitchen garden courtyard tavern workshop bakery
chapel orchard meadow shore pier attic cellar barn stable quarry mill lighthouse museum theater school
cathedral plaza bazaar riverbank hillside clearing vineyard farmhouse boathouse greenhouse observatory
monastery fortress crossroads canal alley terrace balcony porch
""")

TIMES = _w("""
morning evening afternoon night dawn dusk midnight noon winter summer spring autumn
""")

PREPS = _w("""
near behind beside inside outside across above below beyond toward
""")

# Professions for filler ("the baker and the tailor ...").
ROLES = _w("""
baker tailor farmer sailor miller weaver potter smith merchant fisher hunter painter poet scholar
carpenter gardener shepherd priest doctor teacher soldier clerk guard captain mason cook judge
""")

# ---- facts task --------------------------------------------------------------------------------
FIRST_NAMES = _w("""
Alice Bruno Clara Daniel Elena Felix Greta Hugo Irene Jonas Karin Leon Marta Nils Olga Pablo Quinn
Rosa Stefan Tessa Umar Vera Walter Xenia Yusuf Zora Anton Bianca Cyrus Dora Emil Fiona Gustav Hana
Ivan Julia Kamil Lena Marco Nora Oskar Petra Rafael Sofia Tomas Ursula Viktor Wanda Amir Beatrix
Carlos Delia Edgar Freya Gideon Helga Igor Jana Kurt Lidia Milan Nadia Otto Paula Ruben Sara Theo
Una Vince Willa Yara Zeno Agnes Boris Celia Dario Edith Fabian Gloria Henrik Ines Jasper Kira Lucas
Mira Noah Ophelia Pietro Rhea Simon Talia Ulrich Valentina Wendel Aurora Basil Carmen Dimitri Esther
Florian Gemma Harold Ida Joel Katya Lorenzo Magda Nikolai Orla Percy Rita Silas Thea
""")

LAST_NAMES = _w("""
Abbott Baker Castell Dorne Ebner Falk Garrow Holm Ingram Jaeger Keller Lund Moreau Novak Ortega
Pryce Quill Rourke Sandor Thorne Ulman Varga Weller Yates Zimmer Arden Brandt Corbin Dahl Eastwood
Fischer Grant Hale Ivers Jensen Krause Lindqvist Marsh Nagy Olsen Petrov Reyes Salo Tanaka Vance
Wolff Alder Bishop Crane Devlin Engel Frost Gallo Hart Iglesias Janssen Kovac Larsen Mendez Nash
Oakley Pike Ramos Stone Torres Underwood Vogel Ward Young Ziegler Ashby Blake Conti Drake Ellis Ford
Gray Hughes Irwin Jovanovic Kane Lowe Mills Nolan Orr Price Quinlan Rhodes Snow Tate Voss Wilde
Bauer Costa Duval Eriksen Farrow Gomez Haas Klein Lang Moss Navarro Pascal Reid Serra Tobin Weiss
""")

CITIES = _w("""
Lisbon Porto Madrid Seville Valencia Paris Lyon Marseille Nantes Bordeaux Brussels Antwerp Amsterdam
Utrecht Rotterdam Hamburg Berlin Munich Cologne Dresden Leipzig Vienna Graz Zurich Geneva Basel Milan
Turin Genoa Florence Naples Venice Bologna Rome Athens Sofia Bucharest Belgrade Zagreb Prague Brno
Warsaw Krakow Gdansk Vilnius Riga Tallinn Helsinki Stockholm Uppsala Oslo Bergen Copenhagen Aarhus
Dublin Cork Glasgow Edinburgh Leeds Bristol London Cardiff Reykjavik Budapest Ljubljana Bratislava
Istanbul Ankara Cairo Tunis Casablanca Nairobi Lagos Accra Dakar Lima Quito Bogota Santiago Montevideo
Havana Denver Boston Chicago Seattle Toronto Montreal Vancouver Halifax Sydney Perth Auckland Osaka
Kyoto Seoul Busan Hanoi Manila Jakarta Mumbai Delhi Chennai Karachi Tehran Baghdad Tbilisi Yerevan
""")

JOBS = _w("""
baker tailor farmer sailor miller weaver potter blacksmith merchant fisherman hunter painter poet
scholar carpenter gardener shepherd nurse doctor teacher soldier clerk guard captain mason cook judge
pilot engineer architect librarian chemist pharmacist dentist lawyer banker journalist photographer
musician dancer actor singer sculptor jeweler locksmith plumber electrician mechanic surveyor
astronomer geologist botanist historian translator cartographer watchmaker beekeeper florist butcher
""")

LANGUAGES = _w("""
Portuguese Spanish French Dutch German Italian Greek Polish Czech Slovak Hungarian Romanian Bulgarian
Serbian Croatian Swedish Norwegian Danish Finnish Estonian Latvian Lithuanian Icelandic Irish Welsh
Turkish Arabic Persian Hindi Japanese Korean Vietnamese Swahili Latin Basque Catalan
""")

INSTRUMENTS = _w("""
violin cello viola piano guitar flute clarinet oboe bassoon trumpet trombone harp drums accordion
banjo mandolin lute saxophone organ harmonica ukulele tuba bagpipes sitar zither
""")

COLORS = _w("""
black white grey brown red blue green yellow orange purple golden silver spotted striped
""")

ANIMALS = _w("""
cat dog parrot rabbit horse goat tortoise hamster ferret canary pony donkey lizard owl goose duck
""")

SUBJECTS = _w("""
history chemistry physics biology mathematics geography philosophy medicine law economics music
architecture astronomy botany geology linguistics literature engineering sculpture theology
""")

COLLECTIBLES = _w("""
stamps coins postcards maps seashells buttons keys clocks teapots lanterns fossils feathers marbles
kites bottles spoons thimbles compasses records books
""")

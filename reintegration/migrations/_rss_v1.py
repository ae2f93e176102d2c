"""Version 1 of the Reintegration Sustainability Survey as shipped (data for 0009_sustainability_survey).

The structure follows IOM's public description of the RSS (MEASURE project, "Setting Standards for an
Integrated Approach to Reintegration", 2017; Reintegration Handbook, 2.2.5 and its annexes): fifteen indicators
over the economic, social and psychosocial dimensions, each answer scored from 0 to 1, a score per dimension
and a composite score compared with a threshold. The wording of the questions and answers is this office's;
the weights (all equal) and the threshold (0.5) are settings, not published values: docs/sustainability.md.
Kept apart from the migration so that its text is read once, and frozen here: a later change is a new version.
"""

SATISFACTION = [
    ("Very satisfied", "Très satisfait(e)", "راضٍ جدًا", "1"),
    ("Satisfied", "Satisfait(e)", "راضٍ", "0.75"),
    ("Neither satisfied nor dissatisfied", "Ni satisfait(e) ni insatisfait(e)", "لا راضٍ ولا غير راضٍ", "0.5"),
    ("Dissatisfied", "Insatisfait(e)", "غير راضٍ", "0.25"),
    ("Very dissatisfied", "Très insatisfait(e)", "غير راضٍ إطلاقًا", "0"),
]
NEVER_IS_BEST = [
    ("Never", "Jamais", "أبدًا", "1"),
    ("Rarely", "Rarement", "نادرًا", "0.667"),
    ("Sometimes", "Parfois", "أحيانًا", "0.333"),
    ("Often", "Souvent", "كثيرًا", "0"),
]
ACCESS = [
    ("Yes, good access", "Oui, bon accès", "نعم، وصول جيد", "1"),
    ("Limited access", "Accès limité", "وصول محدود", "0.5"),
    ("No access", "Aucun accès", "لا وصول", "0"),
]

INDICATORS = [
    ("E1", "economic",
     "How satisfied are you with your current economic situation?",
     "Êtes-vous satisfait(e) de votre situation économique actuelle ?",
     "ما مدى رضاك عن وضعك الاقتصادي الحالي؟", SATISFACTION),
    ("E2", "economic",
     "In the past month, how often did your household have to eat less or worse food for lack of money?",
     "Au cours du dernier mois, à quelle fréquence votre ménage a-t-il dû manger moins ou moins bien faute "
     "d'argent ?",
     "خلال الشهر الماضي، كم مرة اضطرت أسرتك إلى تقليل كمية الطعام أو جودته بسبب نقص المال؟", NEVER_IS_BEST),
    ("E3", "economic",
     "What is your main source of income now?",
     "Quelle est aujourd'hui votre principale source de revenus ?",
     "ما هو مصدر دخلك الرئيسي حاليًا؟", [
         ("Regular paid work or own business", "Emploi rémunéré régulier ou activité propre",
          "عمل مأجور منتظم أو نشاط خاص", "1"),
         ("Occasional or seasonal work", "Travail occasionnel ou saisonnier", "عمل مؤقت أو موسمي", "0.5"),
         ("No income of my own (others or aid)", "Aucun revenu propre (proches ou aide)",
          "لا دخل خاص (الآخرون أو المساعدات)", "0"),
     ]),
    ("E4", "economic",
     "How do your debts compare with your monthly spending?",
     "Comment vos dettes se comparent-elles à vos dépenses mensuelles ?",
     "كيف تقارن ديونك بنفقاتك الشهرية؟", [
         ("No debt", "Aucune dette", "لا ديون", "1"),
         ("Less than one month's spending", "Moins que les dépenses d'un mois", "أقل من نفقات شهر واحد", "0.5"),
         ("More than one month's spending", "Plus que les dépenses d'un mois", "أكثر من نفقات شهر واحد", "0"),
     ]),
    ("E5", "economic",
     "If you needed money urgently, could you borrow it?",
     "Si vous aviez besoin d'argent en urgence, pourriez-vous en emprunter ?",
     "إذا احتجت إلى المال بشكل عاجل، هل يمكنك اقتراضه؟", [
         ("Yes, easily", "Oui, facilement", "نعم، بسهولة", "1"),
         ("Yes, with difficulty", "Oui, difficilement", "نعم، بصعوبة", "0.5"),
         ("No", "Non", "لا", "0"),
     ]),
    ("S1", "social",
     "How would you describe your housing?",
     "Comment décririez-vous votre logement ?",
     "كيف تصف سكنك؟", [
         ("Adequate and stable", "Convenable et stable", "ملائم ومستقر", "1"),
         ("Adequate but temporary or overcrowded", "Convenable mais provisoire ou surpeuplé",
          "ملائم لكنه مؤقت أو مكتظ", "0.5"),
         ("Inadequate, or no stable housing", "Inadéquat, ou pas de logement stable", "غير ملائم، أو بلا سكن مستقر",
          "0"),
     ]),
    ("S2", "social",
     "Can you get health care when you or your family need it?",
     "Pouvez-vous obtenir des soins de santé quand vous ou votre famille en avez besoin ?",
     "هل يمكنك الحصول على الرعاية الصحية عندما تحتاجها أنت أو أسرتك؟", ACCESS),
    ("S3", "social",
     "Do the school-age children of your household go to school?",
     "Les enfants en âge scolaire de votre ménage vont-ils à l'école ?",
     "هل يذهب الأطفال في سن الدراسة في أسرتك إلى المدرسة؟", [
         ("All of them, or no school-age child", "Tous, ou pas d'enfant en âge scolaire",
          "جميعهم، أو لا يوجد أطفال في سن الدراسة", "1"),
         ("Some of them", "Certains", "بعضهم", "0.5"),
         ("None of them", "Aucun", "لا أحد منهم", "0"),
     ]),
    ("S4", "social",
     "Do you have your identity documents, and could you turn to the police or the courts if needed?",
     "Avez-vous vos papiers d'identité, et pourriez-vous vous adresser à la police ou à la justice en cas de "
     "besoin ?",
     "هل لديك وثائق هويتك، وهل يمكنك اللجوء إلى الشرطة أو القضاء عند الحاجة؟", [
         ("Yes, both", "Oui, les deux", "نعم، كلاهما", "1"),
         ("Only one of the two", "Seulement l'un des deux", "أحدهما فقط", "0.5"),
         ("Neither", "Ni l'un ni l'autre", "لا هذا ولا ذاك", "0"),
     ]),
    ("S5", "social",
     "Does your household have safe drinking water?",
     "Votre ménage a-t-il accès à de l'eau potable ?",
     "هل تحصل أسرتك على مياه شرب آمنة؟", ACCESS),
    ("P1", "psychosocial",
     "How often do you take part in the life of your community (celebrations, gatherings, associations)?",
     "À quelle fréquence participez-vous à la vie de votre communauté (fêtes, réunions, associations) ?",
     "كم مرة تشارك في حياة مجتمعك (احتفالات، لقاءات، جمعيات)؟", [
         ("Often", "Souvent", "كثيرًا", "1"),
         ("Sometimes", "Parfois", "أحيانًا", "0.5"),
         ("Never", "Jamais", "أبدًا", "0"),
     ]),
    ("P2", "psychosocial",
     "Do you have people you can rely on for help or advice?",
     "Avez-vous des personnes sur qui compter pour de l'aide ou des conseils ?",
     "هل لديك أشخاص يمكنك الاعتماد عليهم للمساعدة أو النصيحة؟", [
         ("Yes, several", "Oui, plusieurs", "نعم، عدة أشخاص", "1"),
         ("One or two", "Une ou deux", "شخص أو شخصان", "0.5"),
         ("Nobody", "Personne", "لا أحد", "0"),
     ]),
    ("P3", "psychosocial",
     "Do you feel you belong to your community and are treated without discrimination?",
     "Vous sentez-vous appartenir à votre communauté et traité(e) sans discrimination ?",
     "هل تشعر بالانتماء إلى مجتمعك وبأنك تُعامَل دون تمييز؟", [
         ("Yes, fully", "Oui, pleinement", "نعم، تمامًا", "1"),
         ("Partly", "En partie", "جزئيًا", "0.5"),
         ("No, I feel discriminated against", "Non, je me sens discriminé(e)", "لا، أشعر بالتمييز", "0"),
     ]),
    ("P4", "psychosocial",
     "In the past month, how often have you felt sad, anxious or unable to cope?",
     "Au cours du dernier mois, à quelle fréquence vous êtes-vous senti(e) triste, anxieux(se) ou dépassé(e) ?",
     "خلال الشهر الماضي، كم مرة شعرت بالحزن أو القلق أو العجز عن التأقلم؟", NEVER_IS_BEST),
    ("P5", "psychosocial",
     "Do you feel you can stay and build your life here, or do you wish to migrate again?",
     "Sentez-vous que vous pouvez rester et construire votre vie ici, ou souhaitez-vous repartir ?",
     "هل تشعر أنك تستطيع البقاء وبناء حياتك هنا، أم ترغب في الهجرة مجددًا؟", [
         ("I want to stay", "Je veux rester", "أريد البقاء", "1"),
         ("I am not sure", "Je ne sais pas", "لست متأكدًا", "0.5"),
         ("I want to leave again", "Je veux repartir", "أريد الرحيل مجددًا", "0"),
     ]),
]

SOURCE = (
    "Structure: IOM, Setting Standards for an Integrated Approach to Reintegration (MEASURE project, 2017) and "
    "the Reintegration Handbook (2019), 2.2.5 and annexes: 15 indicators over the economic, social and "
    "psychosocial dimensions, scored 0 to 1. Wording, weights (equal) and threshold (0.5): this office's "
    "settings, not confirmed against IOM's published scoring (docs/sustainability.md)."
)

"""Fixed name lists for the synthetic 2024 baseline, written for this project.

Common given and family names by language area, combined at random: no list names a real person, and
the lists never change with a library's version (Faker's do), so a seed always gives the same people.
"""

from __future__ import annotations

from typing import NamedTuple


class NamePool(NamedTuple):
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]


IVORIAN = NamePool(
    male=("Kouadio", "Yao", "Koffi", "Konan", "Kouamé", "Serge", "Arsène", "Adama", "Souleymane", "Drissa",
          "Jean-Marc", "Hervé", "Ismaël", "Siaka", "Lacina", "Didier", "Franck", "Brice"),
    female=("Adjoua", "Akissi", "Affoué", "Aya", "Mariam", "Fatoumata", "Nadège", "Christelle", "Awa",
            "Amenan", "Rokia", "Estelle"),
    family=("Kouassi", "Koffi", "Konan", "Yao", "N'Guessan", "Kouamé", "Ouattara", "Bamba", "Koné", "Soro",
            "Yéo", "Aka", "Brou", "Kacou", "Diomandé", "Touré", "Fofana", "Tanoh"),
)
SENEGALESE = NamePool(
    male=("Mamadou", "Ousmane", "Abdoulaye", "Moussa", "Cheikh", "Ibrahima", "Modou", "Pape", "Alioune",
          "Babacar", "Serigne", "Lamine", "Malick", "Assane", "Omar", "Demba"),
    female=("Aminata", "Fatou", "Awa", "Mariama", "Khady", "Ndèye", "Coumba", "Astou", "Sokhna", "Bineta",
            "Adama", "Rokhaya"),
    family=("Diop", "Ndiaye", "Fall", "Sow", "Ba", "Diallo", "Gueye", "Sarr", "Faye", "Mbaye", "Seck",
            "Cissé", "Niang", "Thiam", "Dieng", "Sy", "Kane", "Ndour"),
)
GUINEAN = NamePool(
    male=("Mamadou", "Alpha", "Thierno", "Ibrahima", "Sékou", "Mohamed", "Ousmane", "Boubacar", "Abdoulaye",
          "Lansana", "Mory", "Amadou", "Saïkou", "Fodé", "Karamo", "Aboubacar"),
    female=("Mariama", "Fatoumata", "Kadiatou", "Hadja", "Aïssatou", "Djénabou", "Binta", "Oumou", "Nènè",
            "Mariame", "Saran", "Fanta"),
    family=("Diallo", "Bah", "Barry", "Camara", "Condé", "Keïta", "Sylla", "Soumah", "Touré", "Kourouma",
            "Baldé", "Sow", "Bangoura", "Doumbouya", "Kaba", "Cissé", "Kanté", "Traoré"),
)
MALIAN = NamePool(
    male=("Moussa", "Bakary", "Seydou", "Mamadou", "Adama", "Boubacar", "Oumar", "Souleymane", "Modibo",
          "Amadou", "Issa", "Yacouba", "Siaka", "Drissa", "Lassana", "Sidiki"),
    female=("Aminata", "Fatoumata", "Kadidia", "Oumou", "Rokia", "Assitan", "Djénéba", "Mariam", "Salimata",
            "Awa", "Nana", "Hawa"),
    family=("Traoré", "Coulibaly", "Keïta", "Diarra", "Konaté", "Sissoko", "Dembélé", "Cissé", "Maïga",
            "Sangaré", "Doumbia", "Kanté", "Samaké", "Diakité", "Togola", "Bagayoko", "Sidibé", "Touré"),
)
SAHEL = NamePool(  # Burkina Faso, Niger, Mauritania, Chad
    male=("Issouf", "Harouna", "Moumouni", "Boureima", "Idrissa", "Abdoulaye", "Hamidou", "Salif", "Ali",
          "Mahamadou", "Mohamed", "Abakar", "Saleh", "Oumarou"),
    female=("Mariam", "Salamata", "Zalissa", "Aïcha", "Rasmata", "Habiba", "Fatimata", "Zeinabou", "Halima",
            "Achta", "Mariem"),
    family=("Ouédraogo", "Sawadogo", "Compaoré", "Kaboré", "Zongo", "Ilboudo", "Issoufou", "Mahamadou",
            "Abdou", "Moussa", "Ould Ahmed", "Mahamat", "Abakar", "Hassane", "Garba", "Soumana"),
)
COASTAL_WEST = NamePool(  # Benin, Togo, Ghana
    male=("Koffi", "Kodjo", "Komi", "Kossi", "Sègla", "Jean", "Kwame", "Kofi", "Kwabena", "Yaw", "Fiacre",
          "Romaric", "Eric", "Emmanuel"),
    female=("Afi", "Akossiwa", "Ablavi", "Reine", "Adjoa", "Ama", "Akosua", "Efua", "Blandine", "Florence",
            "Abena", "Gifty"),
    family=("Agbeko", "Adjovi", "Hounkpatin", "Dossou", "Ahouansou", "Kpodar", "Amegah", "Mensah", "Asante",
            "Owusu", "Boateng", "Osei", "Agyeman", "Gbedo", "Tchao", "Akakpo"),
)
ANGLO_WEST = NamePool(  # Nigeria, Gambia, Sierra Leone, Liberia
    male=("Chinedu", "Emeka", "Tunde", "Oluwaseun", "Ibrahim", "Musa", "Lamin", "Ebrima", "Alhaji", "Mohamed",
          "Joseph", "Samuel", "Prince", "Momodou", "Foday"),
    female=("Chioma", "Ngozi", "Blessing", "Funmilayo", "Aisha", "Isatou", "Fatoumatta", "Mariatu", "Kadiatu",
            "Precious", "Grace", "Hawa"),
    family=("Okafor", "Okonkwo", "Adeyemi", "Bello", "Eze", "Ogunleye", "Jallow", "Ceesay", "Sanneh", "Bojang",
            "Kamara", "Sesay", "Conteh", "Koroma", "Kollie", "Flomo", "Johnson", "Mansaray"),
)
LUSOPHONE = NamePool(  # Guinea-Bissau, Cabo Verde
    male=("Armando", "Braima", "Domingos", "Fernando", "Malam", "Carlos", "Adilson", "Mamadu", "João",
          "Edson"),
    female=("Maria", "Fatumata", "Nhima", "Aissatu", "Ana", "Djenabu", "Sónia", "Celeste"),
    family=("Djaló", "Baldé", "Embaló", "Sanhá", "Mendes", "Gomes", "Tavares", "Semedo", "Monteiro", "Có",
            "Sambú", "Fernandes"),
)
CENTRAL = NamePool(  # Cameroon, DR Congo, Congo, Gabon, Central African Republic, Burundi
    male=("Jean-Pierre", "Patrick", "Christian", "Junior", "Blaise", "Landry", "Cédric", "Thierry", "Alain",
          "Gloire", "Jonathan", "Prince", "Rodrigue", "Fabrice", "Claude", "Éric"),
    female=("Grâce", "Merveille", "Christelle", "Nadine", "Solange", "Chantal", "Divine", "Clarisse", "Esther",
            "Ornella", "Bénédicte", "Josiane"),
    family=("Mbarga", "Ngono", "Fotso", "Tchoumi", "Kamga", "Nkembe", "Mukendi", "Kabongo", "Tshibangu",
            "Ilunga", "Mbemba", "Moukoko", "Nzinga", "Ndayisaba", "Niyonzima", "Yakoma", "Ngaïkoumon",
            "Ondo"),
)
ARABIC = NamePool(  # Sudan, Egypt, Yemen, Syria, Comoros
    male=("Mohamed", "Ahmed", "Omar", "Abdallah", "Khaled", "Youssef", "Mahmoud", "Hassan", "Ibrahim", "Ali",
          "Mustafa", "Tarek", "Osman", "Faisal", "Nabil", "Samir"),
    female=("Fatima", "Amal", "Mariam", "Huda", "Rania", "Noura", "Aisha", "Salma", "Reem", "Zainab", "Layla",
            "Hiba"),
    family=("Abdelrahman", "Osman", "Mahmoud", "Hassan", "Al-Hakimi", "Al-Saqqaf", "Haddad", "Khalil",
            "Al-Masri", "Suleiman", "Ibrahim", "Nour", "Abdallah", "Said", "Al-Ahmad", "Hamdan", "Idriss",
            "Mze"),
)
SOUTH_SUDANESE = NamePool(
    male=("Deng", "Garang", "Mabior", "Majok", "Akol", "Lual", "Machar", "Peter", "James", "John"),
    female=("Nyandeng", "Achol", "Abuk", "Nyakuoth", "Ayen", "Mary", "Rebecca", "Martha"),
    family=("Deng", "Garang", "Malual", "Akech", "Kuol", "Makuei", "Lado", "Wani", "Jok", "Bol"),
)
HORN = NamePool(  # Ethiopia
    male=("Abebe", "Tesfaye", "Dawit", "Yonas", "Biniam", "Mulugeta", "Henok", "Kebede"),
    female=("Tigist", "Selam", "Meseret", "Hiwot", "Almaz", "Birtukan", "Saba"),
    family=("Tadesse", "Bekele", "Haile", "Girma", "Alemu", "Tesfaye", "Wolde", "Mekonnen"),
)
MALAGASY = NamePool(
    male=("Hery", "Tiana", "Rivo", "Fanja", "Njaka", "Andry", "Toky"),
    female=("Voahangy", "Lalao", "Hanitra", "Miora", "Fara", "Noro"),
    family=("Rakoto", "Rasoanaivo", "Randriamanana", "Rabe", "Razafindrakoto", "Andriamihaja"),
)
SOUTH_ASIAN = NamePool(  # Bangladesh, Pakistan, Sri Lanka
    male=("Rahim", "Karim", "Shafiqul", "Imran", "Bilal", "Usman", "Asif", "Nuwan", "Kasun", "Sajid",
          "Hasan", "Arif"),
    female=("Nasrin", "Shirin", "Ayesha", "Sadia", "Dilini", "Nadeesha", "Rukhsana", "Taslima"),
    family=("Hossain", "Rahman", "Islam", "Chowdhury", "Khan", "Ahmed", "Butt", "Qureshi", "Perera",
            "Fernando", "Silva", "Jayasinghe"),
)
MOROCCAN = NamePool(
    male=("Mohamed", "Youssef", "Hamza", "Ayoub", "Anas", "Achraf", "Zakaria", "Soufiane", "Mehdi", "Othmane",
          "Ilyas", "Yassine", "Omar", "Khalid", "Rachid", "Abdelilah", "Hicham", "Nabil", "Reda", "Amine",
          "Badr", "Walid", "Tarik", "Abderrahim", "Brahim", "Mustapha", "Said", "Issam"),
    female=("Fatima Zahra", "Khadija", "Salma", "Imane", "Meryem", "Sanaa", "Hajar", "Nadia", "Houda",
            "Siham", "Loubna", "Zineb"),
    family=("El Amrani", "Benali", "Bennani", "Alaoui", "El Idrissi", "Tazi", "Berrada", "Chraibi", "El Fassi",
            "Bouzid", "Amzil", "Ait Taleb", "Ait Ali", "Oubella", "Lahlou", "Zerouali", "El Khatib", "Mansouri",
            "Naciri", "Belkadi", "Ouazzani", "El Ouardi", "Boukhris", "Haddou", "Azzouzi", "Rifi", "Ziani",
            "Ennaji", "Belhaj", "Kharbouch"),
)

POOL_BY_COUNTRY: dict[str, NamePool] = {
    "CI": IVORIAN, "SN": SENEGALESE, "GN": GUINEAN, "ML": MALIAN,
    "BF": SAHEL, "NE": SAHEL, "MR": SAHEL, "TD": SAHEL,
    "BJ": COASTAL_WEST, "TG": COASTAL_WEST, "GH": COASTAL_WEST,
    "NG": ANGLO_WEST, "GM": ANGLO_WEST, "SL": ANGLO_WEST, "LR": ANGLO_WEST,
    "GW": LUSOPHONE, "CV": LUSOPHONE, "AO": LUSOPHONE,
    "CM": CENTRAL, "CD": CENTRAL, "CG": CENTRAL, "GA": CENTRAL, "CF": CENTRAL, "BI": CENTRAL,
    "SD": ARABIC, "EG": ARABIC, "YE": ARABIC, "SY": ARABIC, "KM": ARABIC,
    "SS": SOUTH_SUDANESE, "ET": HORN, "MG": MALAGASY,
    "BD": SOUTH_ASIAN, "PK": SOUTH_ASIAN, "LK": SOUTH_ASIAN,
    "MA": MOROCCAN,
}


class StaffMember(NamedTuple):
    """An account of the office's staff in the baseline: who owns the cases and does the follow-ups."""

    username: str
    first_name: str
    last_name: str
    role: str  # the role's group name (accounts.roles)
    team: str  # "avrr" (returns from Morocco), "moroccans" (returns to Morocco), "resettlement" or "all"


# The office's casework staff, invented like the people above. Case workers each work on one programme;
# the supervisors reassign cases (one per return programme, the second also over resettlement).
STAFF: tuple[StaffMember, ...] = (
    StaffMember("s.bennani", "Salma", "Bennani", "Gestionnaire de cas", "avrr"),
    StaffMember("y.elidrissi", "Youssef", "El Idrissi", "Gestionnaire de cas", "avrr"),
    StaffMember("k.tazi", "Karima", "Tazi", "Gestionnaire de cas", "avrr"),
    StaffMember("o.fofana", "Oumar", "Fofana", "Gestionnaire de cas", "avrr"),
    StaffMember("h.alaoui", "Hamza", "Alaoui", "Gestionnaire de cas", "moroccans"),
    StaffMember("n.chraibi", "Nadia", "Chraïbi", "Gestionnaire de cas", "moroccans"),
    StaffMember("r.benjelloun", "Rachid", "Benjelloun", "Gestionnaire de cas", "moroccans"),
    StaffMember("l.berrada", "Leila", "Berrada", "Chargé de réinstallation", "resettlement"),
    StaffMember("m.haddad", "Mehdi", "Haddad", "Chargé de réinstallation", "resettlement"),
    StaffMember("f.elamrani", "Fatima Zahra", "El Amrani", "Superviseur", "avrr"),
    StaffMember("k.lahlou", "Khalid", "Lahlou", "Superviseur", "moroccans"),
)

#include "nordic_data.hpp"

namespace ledger::demo {
namespace {

using names = std::string_view const[];

constexpr names es_first{"Lucía", "Javier", "Carmen", "Alejandro", "Marta", "Pablo", "Elena", "Sergio"};
constexpr names es_last{"García", "Martínez", "López", "Sánchez", "Romero", "Navarro", "Torres", "Ruiz"};
constexpr names pt_first{"Inês", "João", "Beatriz", "Tiago", "Mariana", "Rui"};
constexpr names pt_last{"Silva", "Santos", "Ferreira", "Pereira", "Costa", "Oliveira"};
constexpr names gr_first{"Eleni", "Giorgos", "Maria", "Nikos", "Sofia", "Dimitris"};
constexpr names gr_last{"Papadopoulou", "Georgiou", "Nikolaidis", "Christodoulou", "Vlachos", "Pappas"};
constexpr names it_first{"Giulia", "Marco", "Chiara", "Luca", "Francesca", "Matteo"};
constexpr names it_last{"Rossi", "Bianchi", "Romano", "Ricci", "Marino", "Greco"};
constexpr names pl_first{"Agnieszka", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Paweł"};
constexpr names pl_last{"Nowak", "Kowalska", "Wiśniewski", "Wójcik", "Kamińska", "Lewandowski"};
constexpr names de_first{"Anna", "Lukas", "Lea", "Jonas", "Sarah", "Felix"};
constexpr names de_last{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner"};
constexpr names hu_first{"Zsófia", "Bence", "Anna", "Máté", "Eszter", "Levente"};
constexpr names hu_last{"Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga"};
constexpr names ro_first{"Ioana", "Andrei", "Elena", "Mihai", "Ana", "Alexandru"};
constexpr names ro_last{"Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Munteanu"};

constexpr std::string_view socialstyrelsen = "Socialstyrelsen";
constexpr std::array employer_table{
    employer{"region-jonkoping", "jkpg", "Jönköping", "sv", socialstyrelsen},
    employer{"region-kalmar", "kalmar", "Kalmar", "sv", socialstyrelsen},
    employer{"region-vasterbotten", "vbtn", "Umeå", "sv", socialstyrelsen},
    employer{"region-norrbotten", "nbtn", "Luleå", "sv", socialstyrelsen},
    employer{"region-dalarna", "dalarna", "Falun", "sv", socialstyrelsen},
    employer{"region-jamtland-harjedalen", "jh", "Östersund", "sv", socialstyrelsen},
    employer{"region-vastra-gotaland", "vgr", "Göteborg", "sv", socialstyrelsen},
    employer{"helse-nord", "hnord", "Tromsø", "no", "Helsedirektoratet"},
    employer{"region-nordjylland", "rn", "Aalborg", "da", "Styrelsen for Patientsikkerhed"},
};

// Shortage answers follow the EU's own shortage lists: Germany and Romania report scarcity of
// doctors themselves, so ethical recruitment does not go there.
constexpr std::array country_table{
    source_country{"ES", "es", "Diario Médico", "Madrid", false, es_first, es_last},
    source_country{"PT", "pt", "Revista da Ordem dos Médicos", "Lisboa", false, pt_first, pt_last},
    source_country{"GR", "el", "Iatrikos Typos", "Athens", false, gr_first, gr_last},
    source_country{"IT", "it", "Il Giornale della Previdenza", "Milano", false, it_first, it_last},
    source_country{"PL", "pl", "Gazeta Lekarska", "Kraków", false, pl_first, pl_last},
    source_country{"HU", "hu", "Orvosi Hetilap", "Budapest", false, hu_first, hu_last},
    source_country{"DE", "de", "Deutsches Ärzteblatt", "Berlin", true, de_first, de_last},
    source_country{"RO", "ro", "Viața Medicală", "București", true, ro_first, ro_last},
};

constexpr std::array school_table{
    medical_school{"Karolinska Institutet", "Stockholm"},
    medical_school{"Uppsala universitet", "Uppsala"},
    medical_school{"Lunds universitet", "Lund"},
    medical_school{"Göteborgs universitet", "Göteborg"},
    medical_school{"Linköpings universitet", "Linköping"},
    medical_school{"Umeå universitet", "Umeå"},
    medical_school{"Örebro universitet", "Örebro"},
};

constexpr names specialty_table{"general_practice", "psychiatry", "internal_medicine", "radiology",
                                "anaesthesiology", "geriatrics", "paediatrics", "surgery"};
constexpr names sv_first{"Elsa", "Oskar", "Maja", "William", "Alva", "Hugo", "Ebba", "Lucas", "Saga", "Liam"};
constexpr names sv_last{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson",
                        "Olsson", "Persson", "Svensson", "Lindqvist"};

}  // namespace

std::span<employer const> employers() { return employer_table; }
std::span<source_country const> source_countries() { return country_table; }
std::span<medical_school const> medical_schools() { return school_table; }
std::span<std::string_view const> specialties() { return specialty_table; }
std::span<std::string_view const> swedish_first_names() { return sv_first; }
std::span<std::string_view const> swedish_last_names() { return sv_last; }

}  // namespace ledger::demo

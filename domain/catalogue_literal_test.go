package domain

import "time"

// The first generation as it was written in Go before the catalogue became data (issue 9,
// point 8). TestEmbeddedFirstGenerationIsTheOldLiteral compares the shipped file
// catalogue/generation-1.yaml with it, so the conversion changed no code, kind, target or
// text.

// allTargetGroups is the target group of every first-generation standard.
var allTargetGroups = Text{DA: "Alle målgrupper", EN: "All target groups"}

// The two kinds of area of the model text: the organisational area, common to all
// institutions, and the target-group and service-specific area.
var (
	organisationalArea = Text{DA: "Det organisatoriske område", EN: "The organisational area"}
	targetGroupArea    = Text{DA: "Det målgruppe- og ydelsesspecifikke område", EN: "The target-group and service-specific area"}
)

// firstGenerationLiteral is the catalogue the regions started with: six themes (Ledelse,
// Arbejdsmiljø, Kompetenceudvikling, Brugerinddragelse, Individuelle handleplaner,
// Kommunikation), one standard each, for all target groups, in force from 1 January 2009.
func firstGenerationLiteral() Generation {
	return Generation{
		Number:        1,
		Name:          Text{DA: "Kvalitetsmodellens 1. generation", EN: "First generation of the quality model"},
		EffectiveFrom: NewDate(2009, time.January, 1),
		Themes: []Theme{
			{
				Code: "1", Slug: "management", Name: Text{DA: "Ledelse", EN: "Management"},
				Standards: []Standard{{
					Code: "1.1", Theme: "1", Kind: Qualitative,
					Title:       Text{DA: "Ledelsens ansvar og kompetencer", EN: "Management responsibilities and competences"},
					Area:        organisationalArea,
					TargetGroup: allTargetGroups,
					Purpose: Text{
						DA: "Tilbuddet har en skriftlig beskrivelse af ledelsens ansvar og kompetencer, så medarbejdere, brugere og pårørende ved, hvem der har ansvaret for hvad, og hvem der træffer beslutningerne.",
						EN: "The institution has a written description of management's responsibilities and competences, so that staff, users and relatives know who is responsible for what and who takes the decisions.",
					},
					Guideline: Text{
						DA: "Beskrivelsen omfatter tilbuddets ledelsesstruktur, fordelingen af ansvar og beslutningskompetence mellem ledelsesniveauerne, hvem der træder i stedet ved lederens fravær, og hvordan ledelsen følger op på tilbuddets mål og kvalitet. Den gennemgås med medarbejderne, er tilgængelig for brugere og pårørende og revideres ved organisationsændringer og mindst én gang om året i forbindelse med selvevalueringen.",
						EN: "The description covers the institution's management structure, how responsibility and decision-making powers are divided between the management levels, who deputises when the manager is absent, and how management follows up on the institution's goals and quality. It is reviewed with the staff, is available to users and relatives, and is revised when the organisation changes and at least once a year as part of the self-evaluation.",
					},
					Documentation: Text{
						DA: "Den skriftlige beskrivelse med dato for seneste revision og referatet fra det personalemøde, hvor den senest er gennemgået.",
						EN: "The written description, dated with its latest revision, and the minutes of the staff meeting at which it was last reviewed.",
					},
					Indicators: []Indicator{
						{Code: "1.1.1", Kind: Structure, Text: Text{
							DA: "Der foreligger en skriftlig beskrivelse af ledelsesstrukturen",
							EN: "A written description of the management structure is available",
						}},
						{Code: "1.1.2", Kind: Structure, Text: Text{
							DA: "Ansvars- og kompetencefordelingen er beskrevet for hvert ledelsesniveau, herunder hvem der er stedfortræder for lederen",
							EN: "The division of responsibility and decision-making powers is described for each management level, including who deputises for the manager",
						}},
						{Code: "1.1.3", Kind: Process, Text: Text{
							DA: "Beskrivelsen er gennemgået med medarbejderne inden for det seneste år",
							EN: "The description has been reviewed with the staff within the past year",
						}},
					},
				}},
			},
			{
				Code: "2", Slug: "working-environment", Name: Text{DA: "Arbejdsmiljø", EN: "Working environment"},
				Standards: []Standard{{
					Code: "2.1", Theme: "2", Kind: Quantitative,
					Title:       Text{DA: "Systematisk arbejdsmiljøarbejde", EN: "Systematic work on the working environment"},
					Area:        organisationalArea,
					TargetGroup: allTargetGroups,
					Purpose: Text{
						DA: "Tilbuddet arbejder systematisk med det fysiske og psykiske arbejdsmiljø, så medarbejderne trives, sygefraværet holdes lavt, og kvaliteten og kontinuiteten i indsatsen over for brugerne sikres.",
						EN: "The institution works systematically on the physical and psychosocial working environment, so that the staff thrive, sickness absence is kept low, and the quality and continuity of the support for the users are secured.",
					},
					Guideline: Text{
						DA: "Arbejdspladsvurderingen (APV) gennemføres mindst hvert tredje år i samarbejde med arbejdsmiljørepræsentanterne og omfatter både det fysiske og det psykiske arbejdsmiljø, herunder vold og trusler. Der udarbejdes en handlingsplan med ansvarlige og tidsfrister for de problemer, APV'en afdækker. Sygefraværet opgøres kvartalsvis og drøftes i MED-udvalget eller et tilsvarende samarbejdsudvalg.",
						EN: "The workplace assessment (APV) is carried out at least every third year together with the health and safety representatives and covers both the physical and the psychosocial working environment, including violence and threats. An action plan with named owners and deadlines is drawn up for the problems it uncovers. Sickness absence is reported every quarter and discussed in the joint consultation committee (MED) or an equivalent committee.",
					},
					Documentation: Text{
						DA: "Den seneste APV med dato og handlingsplan; kvartalsvise opgørelser af sygefraværet i procent af den samlede arbejdstid; referater fra MED-udvalgets drøftelser af APV og sygefravær.",
						EN: "The latest APV, dated, with its action plan; quarterly figures for sickness absence as a percentage of total working hours; minutes of the joint consultation committee's discussions of the APV and sickness absence.",
					},
					Indicators: []Indicator{
						{Code: "2.1.1", Kind: Structure, Text: Text{
							DA: "Der foreligger en skriftlig APV, der højst er tre år gammel, med tilhørende handlingsplan",
							EN: "A written workplace assessment (APV) no more than three years old, with its action plan, is available",
						}},
						{Code: "2.1.2", Kind: Process, Text: Text{
							DA: "Handlingsplanen fra APV'en er fulgt op i MED-udvalget inden for det seneste år",
							EN: "The APV action plan has been followed up in the joint consultation committee within the past year",
						}},
						{Code: "2.1.3", Kind: Result, Target: "<= 5 %", Text: Text{
							DA: "Medarbejdernes sygefravær i procent af den samlede arbejdstid det seneste år",
							EN: "Staff sickness absence as a percentage of total working hours over the past year",
						}},
					},
				}},
			},
			{
				Code: "3", Slug: "development-of-skills", Name: Text{DA: "Kompetenceudvikling", EN: "Development of skills"},
				Standards: []Standard{{
					Code: "3.1", Theme: "3", Kind: Quantitative,
					Title:       Text{DA: "Planlagt kompetenceudvikling", EN: "Planned development of skills"},
					Area:        organisationalArea,
					TargetGroup: allTargetGroups,
					Purpose: Text{
						DA: "Medarbejderne har de kompetencer, som brugernes behov og tilbuddets opgaver kræver, og kompetenceudviklingen sker planlagt og systematisk.",
						EN: "The staff have the skills that the users' needs and the institution's tasks require, and their skills are developed in a planned and systematic way.",
					},
					Guideline: Text{
						DA: "Tilbuddet har en skriftlig kompetenceplan, der tager udgangspunkt i målgruppens behov og tilbuddets mål og revideres hvert år. Alle fastansatte medarbejdere tilbydes en årlig medarbejderudviklingssamtale (MUS), hvor der aftales individuelle udviklingsmål, som følges op ved den næste samtale. Nyansatte introduceres efter et skriftligt introduktionsprogram.",
						EN: "The institution has a written competence plan, based on the target group's needs and the institution's goals and revised every year. All permanent staff are offered an annual staff development interview (MUS) at which individual development goals are agreed and then followed up at the next interview. New staff are introduced following a written induction programme.",
					},
					Documentation: Text{
						DA: "Kompetenceplanen med dato for seneste revision; en oversigt over afholdte MUS de seneste 12 måneder; introduktionsprogrammet for nyansatte.",
						EN: "The competence plan, dated with its latest revision; a list of the staff development interviews held in the past 12 months; the induction programme for new staff.",
					},
					Indicators: []Indicator{
						{Code: "3.1.1", Kind: Structure, Text: Text{
							DA: "Der foreligger en skriftlig kompetenceplan for tilbuddet, revideret inden for det seneste år",
							EN: "A written competence plan for the institution, revised within the past year, is available",
						}},
						{Code: "3.1.2", Kind: Process, Target: ">= 90 %", Text: Text{
							DA: "Andel af de fastansatte medarbejdere, der har haft en medarbejderudviklingssamtale (MUS) inden for de seneste 12 måneder",
							EN: "Share of the permanent staff who have had a staff development interview (MUS) within the past 12 months",
						}},
						{Code: "3.1.3", Kind: Result, Target: ">= 75 %", Text: Text{
							DA: "Andel af de individuelle udviklingsmål fra den forrige MUS, der er nået ved den følgende samtale",
							EN: "Share of the individual development goals from the previous MUS that were reached by the following interview",
						}},
					},
				}},
			},
			{
				Code: "4", Slug: "user-involvement", Name: Text{DA: "Brugerinddragelse", EN: "User involvement"},
				Standards: []Standard{{
					Code: "4.1", Theme: "4", Kind: Qualitative,
					Title:       Text{DA: "Brugerens inddragelse og medindflydelse", EN: "User involvement and influence"},
					Area:        targetGroupArea,
					TargetGroup: allTargetGroups,
					Purpose: Text{
						DA: "Brugeren inddrages i beslutninger om sit eget liv og sin hverdag i tilbuddet og har medindflydelse på sin egen plan, så indsatsen bygger på brugerens ønsker, behov og ressourcer.",
						EN: "Users are involved in decisions about their own life and everyday life at the institution and have a say in their own plan, so that the support builds on their wishes, needs and resources.",
					},
					Guideline: Text{
						DA: "Tilbuddet har skriftlige retningslinjer for, hvordan brugerne inddrages i udarbejdelsen og opfølgningen af deres egen plan, og hvordan de har indflydelse på fælles forhold, f.eks. gennem husmøder eller et brugerråd. Inddragelsen tilpasses den enkelte brugers forudsætninger og kommunikationsform, og de pårørende inddrages, når brugeren ønsker det.",
						EN: "The institution has written guidelines for how users take part in drawing up and following up their own plan, and how they influence shared matters, for example through house meetings or a user council. Involvement is adapted to each user's abilities and way of communicating, and relatives are involved when the user wishes it.",
					},
					Documentation: Text{
						DA: "Retningslinjerne for brugerinddragelse; et notat i den enkelte brugers plan om brugerens deltagelse; referater fra husmøder eller brugerråd; resultaterne af den landsdækkende bruger- og pårørendeundersøgelse.",
						EN: "The guidelines for user involvement; a note in each user's plan on how the user took part; minutes of house meetings or the user council; the results of the national survey of users and relatives.",
					},
					Indicators: []Indicator{
						{Code: "4.1.1", Kind: Structure, Text: Text{
							DA: "Der foreligger skriftlige retningslinjer for brugerinddragelse",
							EN: "Written guidelines for user involvement are available",
						}},
						{Code: "4.1.2", Kind: Process, Text: Text{
							DA: "Det fremgår af den enkelte brugers plan, hvordan brugeren har deltaget i udarbejdelsen af planen",
							EN: "Each user's plan records how the user took part in drawing it up",
						}},
						{Code: "4.1.3", Kind: Result, Text: Text{
							DA: "Brugerne oplever at have indflydelse på deres egen hverdag, belyst ved den landsdækkende bruger- og pårørendeundersøgelse",
							EN: "Users experience influence over their own everyday life, as shown by the national survey of users and relatives",
						}},
					},
				}},
			},
			{
				Code: "5", Slug: "individual-action-plans", Name: Text{DA: "Individuelle handleplaner", EN: "Individual action plans"},
				Standards: []Standard{{
					Code: "5.1", Theme: "5", Kind: Quantitative,
					Title:       Text{DA: "En individuel handleplan for hver bruger", EN: "An individual action plan for every user"},
					Area:        targetGroupArea,
					TargetGroup: allTargetGroups,
					Purpose: Text{
						DA: "Hver bruger har en individuel handleplan med konkrete mål for indsatsen, som er udarbejdet sammen med brugeren og revideres mindst én gang om året, så indsatsen er målrettet og sammenhængende.",
						EN: "Every user has an individual action plan with specific goals for the support, drawn up together with the user and revised at least once a year, so that the support is focused and coherent.",
					},
					Guideline: Text{
						DA: "Planen udarbejdes senest tre måneder efter indflytning med udgangspunkt i kommunens handleplan efter serviceloven og beskriver brugerens mål, den aftalte indsats og brugerens kontaktperson. Planen evalueres og revideres mindst én gang om året og ved væsentlige ændringer i brugerens situation.",
						EN: "The plan is drawn up no later than three months after the user moves in, based on the municipality's action plan under the Social Services Act, and describes the user's goals, the agreed support and the user's key worker. It is evaluated and revised at least once a year and whenever the user's situation changes significantly.",
					},
					Documentation: Text{
						DA: "En oversigt over brugerne med dato for seneste revision af deres plan; den enkelte brugers plan med mål, indsats og evaluering.",
						EN: "A list of the users with the date their plan was last revised; each user's plan with its goals, support and evaluation.",
					},
					Indicators: []Indicator{
						{Code: "5.1.1", Kind: Structure, Text: Text{
							DA: "Der foreligger en skriftlig procedure for udarbejdelse, opfølgning og revision af de individuelle handleplaner",
							EN: "A written procedure for drawing up, following up and revising the individual action plans is available",
						}},
						{Code: "5.1.2", Kind: Process, Target: ">= 90 %", Text: Text{
							DA: "Andel af brugerne, der har en individuel handleplan, som er revideret inden for de seneste 12 måneder",
							EN: "Share of the users who have an individual action plan revised within the past 12 months",
						}},
						{Code: "5.1.3", Kind: Result, Text: Text{
							DA: "Andel af målene i handleplanerne, der ved den årlige evaluering er helt eller delvist nået",
							EN: "Share of the goals in the action plans that were fully or partly reached at the annual evaluation",
						}},
					},
				}},
			},
			{
				Code: "6", Slug: "communication", Name: Text{DA: "Kommunikation", EN: "Communication"},
				Standards: []Standard{{
					Code: "6.1", Theme: "6", Kind: Qualitative,
					Title:       Text{DA: "Kommunikation med brugere og pårørende", EN: "Communication with users and relatives"},
					Area:        targetGroupArea,
					TargetGroup: allTargetGroups,
					Purpose: Text{
						DA: "Kommunikationen med brugere og pårørende er respektfuld, tydelig og tilpasset den enkeltes forudsætninger, så brugere og pårørende er informeret og kan gøre deres indflydelse gældende.",
						EN: "Communication with users and relatives is respectful, clear and adapted to each person's abilities, so that users and relatives are informed and can make their influence felt.",
					},
					Guideline: Text{
						DA: "Tilbuddet har skriftlige retningslinjer for kommunikation med brugere og pårørende. De beskriver, hvordan og hvor ofte brugere og pårørende informeres, hvem der er kontaktperson, hvordan kommunikationen tilpasses brugere med særlige kommunikationsbehov, f.eks. med alternativ og supplerende kommunikation (ASK), og hvordan klager modtages og besvares.",
						EN: "The institution has written guidelines for communication with users and relatives. They describe how and how often users and relatives are informed, who the contact person is, how communication is adapted to users with special communication needs, for example through augmentative and alternative communication (AAC), and how complaints are received and answered.",
					},
					Documentation: Text{
						DA: "Retningslinjerne for kommunikation; oplysninger om kommunikationsform og kontaktperson i den enkelte brugers plan; resultaterne af den landsdækkende bruger- og pårørendeundersøgelse.",
						EN: "The guidelines for communication; each user's plan stating how to communicate with the user and who the contact person is; the results of the national survey of users and relatives.",
					},
					Indicators: []Indicator{
						{Code: "6.1.1", Kind: Structure, Text: Text{
							DA: "Der foreligger skriftlige retningslinjer for kommunikation med brugere og pårørende",
							EN: "Written guidelines for communication with users and relatives are available",
						}},
						{Code: "6.1.2", Kind: Process, Text: Text{
							DA: "Det fremgår af den enkelte brugers plan, hvordan der kommunikeres med brugeren, og hvem der er kontaktperson for brugeren og de pårørende",
							EN: "Each user's plan states how to communicate with the user and who the contact person is for the user and the relatives",
						}},
						{Code: "6.1.3", Kind: Result, Text: Text{
							DA: "De pårørende oplever at blive informeret og hørt, belyst ved den landsdækkende bruger- og pårørendeundersøgelse",
							EN: "Relatives experience being informed and listened to, as shown by the national survey of users and relatives",
						}},
					},
				}},
			},
		},
	}
}
